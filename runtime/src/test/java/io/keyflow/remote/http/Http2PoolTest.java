package io.keyflow.remote.http;

import static io.keyflow.remote.http.TestPools.CALL;
import static io.keyflow.remote.http.TestPools.post;
import static io.keyflow.remote.http.TestPools.send;
import static io.keyflow.remote.http.TestPools.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.HttpProtocol;
import io.keyflow.module.Transport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP/2 pool against a real HTTP/2 server (Netty, h2c with prior knowledge). */
class Http2PoolTest {
  private final TestPools pools = new TestPools();
  private H2cTestServer server;
  private RawHttpServer raw;

  @AfterEach
  void stop() throws Exception {
    pools.close();
    if (server != null) {
      server.close();
    }
    if (raw != null) {
      raw.close();
    }
  }

  private static Transport http2(int poolSize) {
    return settings(poolSize, 1, Duration.ofSeconds(30)).withProtocol(HttpProtocol.HTTP2);
  }

  private HttpPool pool(String path) throws Exception {
    if (server == null) {
      server = new H2cTestServer();
    }
    return pools.http2Pool(server.url(path), http2(64));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void hundredsOfConcurrentCallsShareTwoConnections() throws Exception {
    HttpPool pool = pool("/echo");
    URI url = server.url("/echo");
    List<ResponseFuture> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(send(pool, url, bytes("call-" + i), CALL, 1 << 20));
    }

    for (int i = 0; i < calls.size(); i++) {
      Response response = calls.get(i).get(20, TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.contentType()).isEqualTo("application/octet-stream");
      assertThat(new String(response.body(), StandardCharsets.UTF_8))
          .isEqualTo(new StringBuilder("call-" + i).reverse().toString());
    }
    assertThat(server.streams()).isEqualTo(200);
    assertThat(server.connections())
        .as("%d streams per connection at most", Http2Pool.MAX_STREAMS)
        .isEqualTo(2);
  }

  @Test
  void theDescriptionShowsTheCallsOnEachConnection() throws Exception {
    HttpPool pool = pool("/echo");
    List<ResponseFuture> hanging = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      hanging.add(send(pool, server.url("/hang"), bytes("x"), CALL, 1 << 20));
    }
    assertThat(post(pool, server.url("/echo"), bytes("ab")).body()).isEqualTo(bytes("ba"));

    String description = pool.loop().submit(pool::describeOnLoop).get(5, SECONDS);

    assertThat(description)
        .startsWith(server.url("/").getScheme() + "://")
        .contains("(HTTP/2): 0 waiting, 1 open, 0 opening;")
        .contains("[3/" + Http2Pool.MAX_STREAMS + " streams, last read");
    assertThat(hanging).noneMatch(ResponseFuture::isDone);
  }

  @Test
  void aResetStreamFailsOnlyItsCall() throws Exception {
    HttpPool pool = pool("/echo");
    ResponseFuture reset = send(pool, server.url("/reset"), bytes("x"), CALL, 1 << 20);
    List<ResponseFuture> others = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      others.add(send(pool, server.url("/echo"), bytes("ab"), CALL, 1 << 20));
    }

    assertThatThrownBy(() -> reset.get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ConnectionClosedException.class)
        .hasMessageContaining("reset the HTTP/2 stream (INTERNAL_ERROR)");
    for (ResponseFuture other : others) {
      assertThat(other.get(20, TimeUnit.SECONDS).body()).isEqualTo(bytes("ba"));
    }
    assertThat(server.connections()).isOne();
  }

  @Test
  void aRefusedStreamGoesAgain() throws Exception {
    HttpPool pool = pool("/refuse-once");

    Response response = post(pool, server.url("/refuse-once"), bytes("x"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(server.streams()).isEqualTo(2);
  }

  @Test
  void aResponseOverTheLimitFailsItsCallAndTheConnectionCarriesOn() throws Exception {
    HttpPool pool = pool("/echo");

    assertThatThrownBy(
            () -> send(pool, server.url("/big"), bytes("x"), CALL, 1 << 20).get(20, SECONDS))
        .cause()
        .isInstanceOf(BodyTooLargeException.class);
    assertThat(post(pool, server.url("/echo"), bytes("ok")).body()).isEqualTo(bytes("ko"));
    assertThat(server.connections()).isOne();
  }

  @Test
  void aResponseWithoutStatusFailsItsCallOnly() throws Exception {
    HttpPool pool = pool("/echo");

    assertThatThrownBy(
            () -> send(pool, server.url("/nostatus"), bytes("x"), CALL, 1 << 20).get(20, SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(post(pool, server.url("/echo"), bytes("ok")).body()).isEqualTo(bytes("ko"));
  }

  @Test
  void aTimedOutCallFailsAloneWhileTheConnectionAnswersOthers() throws Exception {
    HttpPool pool = pool("/echo");
    ResponseFuture hanging =
        send(pool, server.url("/hang"), bytes("x"), Duration.ofMillis(500), 1 << 20);
    Response answered = post(pool, server.url("/echo"), bytes("ab"));

    assertThatThrownBy(() -> hanging.get(20, SECONDS))
        .cause()
        .isInstanceOf(CallTimeoutException.class);
    assertThat(answered.body()).isEqualTo(bytes("ba"));
    assertThat(post(pool, server.url("/echo"), bytes("cd")).body()).isEqualTo(bytes("dc"));
    assertThat(server.connections()).isOne();
  }

  @Test
  void callsAboveTheLastStreamOfAGoAwayGoAgainOnANewConnectionAndThoseBelowComplete()
      throws Exception {
    HttpPool pool = pool("/goaway");
    List<ResponseFuture> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(send(pool, server.url("/goaway"), bytes("call-" + i), CALL, 1 << 20));
    }

    for (int i = 0; i < calls.size(); i++) {
      assertThat(new String(calls.get(i).get(20, SECONDS).body(), StandardCharsets.UTF_8))
          .as("call %d answered with its own body", i)
          .isEqualTo(new StringBuilder("call-" + i).reverse().toString());
    }
    assertThat(server.lastStreamOfGoAway()).as("a GOAWAY was sent").isPositive();
    assertThat(server.answeredBeforeGoAway())
        .as("the streams up to the GOAWAY's last stream were answered on their connection")
        .isEqualTo(3);
    assertThat(server.answeredAfterGoAway())
        .as("the streams above it were sent again and answered on a new connection")
        .isEqualTo(3);
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void aConnectionWhosePeerFellSilentIsFoundDeadByPingAndItsCallGoesAgain() throws Exception {
    server = new H2cTestServer();
    Duration pingAfter = Duration.ofMillis(300);
    Http2Pool pool = pools.http2Pool(server.url("/mute"), http2(8), pingAfter);
    try {
      // Answered; then the server reads nothing more from this connection, PINGs included.
      assertThat(post(pool, server.url("/mute"), bytes("ab")).body()).isEqualTo(bytes("ba"));
      long start = System.nanoTime();
      ResponseFuture call =
          send(pool, server.url("/echo"), bytes("cd"), Duration.ofSeconds(60), 1 << 20);

      assertThat(call.get(30, SECONDS).body()).isEqualTo(bytes("dc"));
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(tookMillis)
          .as("found dead by an unanswered PING, not by the call's 60 s timeout")
          .isLessThan(30_000);
      assertThat(server.connections()).isEqualTo(2);
    } finally {
      pool.shutdownOnLoop();
    }
  }

  @Test
  void anIdleConnectionToALivePeerAnswersPingsAndStaysOpen() throws Exception {
    server = new H2cTestServer();
    Duration pingAfter = Duration.ofMillis(200);
    Http2Pool pool = pools.http2Pool(server.url("/echo"), http2(8), pingAfter);
    try {
      assertThat(post(pool, server.url("/echo"), bytes("ab")).body()).isEqualTo(bytes("ba"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (server.pings() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }

      assertThat(server.pings())
          .as("a PING after each 200 ms of silence")
          .isGreaterThanOrEqualTo(3);
      assertThat(post(pool, server.url("/echo"), bytes("cd")).body()).isEqualTo(bytes("dc"));
      assertThat(server.connections()).as("the connection stayed open").isOne();
    } finally {
      pool.shutdownOnLoop();
    }
  }

  @Test
  void anHttp1ServerIsAConfigurationErrorNotARetry() throws Exception {
    raw =
        new RawHttpServer(
            (connection, turn, head, body, out) -> {
              RawHttpServer.write(
                  out,
                  "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Length: 0\r\n"
                      + "Connection: close\r\n\r\n");
              return false;
            });
    HttpPool pool = pools.http2Pool(raw.url(), http2(8));

    assertThatThrownBy(() -> post(pool, raw.url(), bytes("x")))
        .cause()
        .isInstanceOfSatisfying(
            TlsConfigurationException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(TlsConfigurationException.Kind.HTTP2_NOT_SPOKEN);
              assertThat(e.getMessage())
                  .contains("transport.protocol")
                  .contains(raw.url().getHost());
            });
  }

  private static final TimeUnit SECONDS = TimeUnit.SECONDS;
}
