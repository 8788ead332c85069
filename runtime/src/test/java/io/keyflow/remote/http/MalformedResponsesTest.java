package io.keyflow.remote.http;

import static io.keyflow.remote.http.RawHttpServer.write;
import static io.keyflow.remote.http.TestPools.post;
import static io.keyflow.remote.http.TestPools.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Responses that break HTTP/1.1 framing (RFC 9112), or never end, from a raw TCP server: each fails
 * its call and closes the connection it came on, and the next call succeeds on a new connection.
 */
class MalformedResponsesTest {
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  private static final Duration TIMEOUT = Duration.ofMillis(800);

  private final TestPools pools = new TestPools();
  private RawHttpServer raw;

  @AfterEach
  void stop() throws Exception {
    pools.close();
    if (raw != null) {
      raw.close();
    }
  }

  /** How a bad response is written: at once, or a byte at a time. */
  interface Bad {
    void writeTo(OutputStream out) throws Exception;
  }

  private static Bad text(String response) {
    return out -> write(out, response);
  }

  /** Writes {@code response} a byte every 50 ms, then waits for the client to go. */
  private static Bad drip(String response) {
    return out -> {
      for (char c : response.toCharArray()) {
        out.write(c);
        out.flush();
        TimeUnit.MILLISECONDS.sleep(50);
      }
      TimeUnit.SECONDS.sleep(30);
    };
  }

  static Stream<Arguments> badResponses() {
    String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    return Stream.of(
        Arguments.of(
            "conflicting Content-Length",
            text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\nok12345"),
            MalformedResponseException.class,
            "Content-Length"),
        Arguments.of(
            "duplicate Content-Length, same value",
            text("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"),
            MalformedResponseException.class,
            "Content-Length"),
        Arguments.of(
            "Content-Length as a list",
            text("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok"),
            MalformedResponseException.class,
            "Content-Length"),
        Arguments.of(
            "duplicate Content-Length in HTTP/1.0",
            text("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\nok"),
            MalformedResponseException.class,
            "Content-Length"),
        Arguments.of(
            "signed Content-Length",
            text("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok"),
            MalformedResponseException.class,
            "Content-Length"),
        Arguments.of(
            "both Content-Length and Transfer-Encoding",
            text(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nok\r\n0\r\n\r\n"),
            MalformedResponseException.class,
            "Content-Length"),
        Arguments.of(
            "chunked applied twice",
            text(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
                    + "2\r\nok\r\n0\r\n\r\n"),
            MalformedResponseException.class,
            "chunked"),
        Arguments.of(
            "chunk size that is not hex",
            text(chunked + "zz\r\nok\r\n0\r\n\r\n"),
            MalformedResponseException.class,
            "chunk size"),
        Arguments.of(
            "chunk size that overflows",
            text(chunked + "fffffffffffff\r\nok\r\n0\r\n\r\n"),
            MalformedResponseException.class,
            "overflow"),
        Arguments.of(
            "chunk without its line end",
            text(chunked + "2\r\nokXX0\r\n\r\n"),
            MalformedResponseException.class,
            ""),
        Arguments.of(
            "too many header fields",
            text(
                "HTTP/1.1 200 OK\r\n"
                    + "X-Many: 1\r\n".repeat(StrictHeaders.MAX_FIELDS + 1)
                    + "Content-Length: 2\r\n\r\nok"),
            MalformedResponseException.class,
            "header fields"),
        Arguments.of(
            "an oversized header",
            text(
                "HTTP/1.1 200 OK\r\nX-Big: "
                    + "b".repeat(20_000)
                    + "\r\nContent-Length: 2\r\n\r\nok"),
            MalformedResponseException.class,
            "header"),
        Arguments.of(
            "an oversized status line",
            text("HTTP/1.1 200 " + "O".repeat(5000) + "\r\nContent-Length: 2\r\n\r\nok"),
            MalformedResponseException.class,
            "line"),
        Arguments.of(
            "no HTTP status line",
            text("SSH-2.0-OpenSSH\r\n\r\n"),
            MalformedResponseException.class,
            ""),
        Arguments.of(
            "a body that never ends",
            (Bad)
                out -> {
                  write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok");
                  TimeUnit.SECONDS.sleep(30);
                },
            CallTimeoutException.class,
            "the response began but did not end"),
        Arguments.of(
            "headers dripping a byte at a time", drip(OK), CallTimeoutException.class, "timed out"),
        Arguments.of(
            "a chunked body dripping a byte at a time",
            drip(chunked + "2\r\nok\r\n0\r\n\r\n"),
            CallTimeoutException.class,
            "timed out"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badResponses")
  void aBadResponseFailsItsCallClosesItsConnectionAndTheNextCallSucceeds(
      String name, Bad bad, Class<? extends Exception> expected, String mentions) throws Exception {
    raw =
        new RawHttpServer(
            (connection, turn, head, body, out) -> {
              if (connection == 0) {
                bad.writeTo(out);
                return false;
              }
              write(out, OK);
              return true;
            });
    ConnectionPool pool = pools.pool(raw.url());

    ResponseFuture call = send(pool, raw.url(), new byte[] {1}, TIMEOUT, 1 << 20);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(expected)
        .hasMessageContaining(mentions);
    assertThat(post(pool, raw.url(), new byte[] {2}).body()).containsExactly('o', 'k');
    assertThat(raw.connections()).as("the next call came on a new connection").isEqualTo(2);
  }

  @Test
  void bytesAfterAResponseThatNoRequestAskedForCloseTheConnection() throws Exception {
    raw =
        new RawHttpServer(
            (connection, turn, head, body, out) -> {
              // A second response smuggled behind the first: it must never answer another call.
              write(out, OK + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nforge");
              return true;
            });
    ConnectionPool pool = pools.pool(raw.url());

    assertThat(post(pool, raw.url(), new byte[] {1}).body()).containsExactly('o', 'k');
    assertThat(post(pool, raw.url(), new byte[] {2}).body()).containsExactly('o', 'k');

    assertThat(raw.connections()).isEqualTo(2);
  }

  @Test
  void aMalformedResponseFailsOnlyItsCallAndThoseBehindItGoAgainOnANewConnection()
      throws Exception {
    raw =
        new RawHttpServer(
            (connection, turn, head, body, out) -> {
              if (connection == 0 && turn == 0) {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok");
                return false;
              }
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + (char) body[0]);
              return true;
            });
    ConnectionPool pool = pools.pool(raw.url(), TestPools.settings(1, 8, Duration.ofSeconds(30)));

    ResponseFuture first = send(pool, raw.url(), new byte[] {'a'}, TIMEOUT, 100);
    ResponseFuture second = send(pool, raw.url(), new byte[] {'b'}, TIMEOUT, 100);
    ResponseFuture third = send(pool, raw.url(), new byte[] {'c'}, TIMEOUT, 100);

    assertThatThrownBy(() -> first.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(MalformedResponseException.class);
    assertThat(second.get(20, TimeUnit.SECONDS).body()).containsExactly('b');
    assertThat(third.get(20, TimeUnit.SECONDS).body()).containsExactly('c');
  }
}
