package io.keyflow.remote.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Http1ClientTest {
  private static final Duration CALL = Duration.ofSeconds(10);
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  private final Http1Client client = new Http1Client(Duration.ofSeconds(5), Duration.ofSeconds(30));
  private HttpServer server;
  private RawServer raw;

  @AfterEach
  void stop() throws Exception {
    client.close();
    if (server != null) {
      server.stop(0);
    }
    if (raw != null) {
      raw.close();
    }
  }

  /** A JDK HTTP server that echoes the request body reversed, with the request's headers seen. */
  private URI echoServer(boolean chunked) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            byte[] in = exchange.getRequestBody().readAllBytes();
            byte[] out = new byte[in.length];
            for (int i = 0; i < in.length; i++) {
              out[i] = in[in.length - 1 - i];
            }
            exchange
                .getResponseHeaders()
                .add("Content-Type", exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.getResponseHeaders().add("X-Path", exchange.getRequestURI().toString());
            exchange.sendResponseHeaders(200, chunked ? 0 : out.length);
            exchange.getResponseBody().write(out);
          }
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fn/counter?x=1");
  }

  private RawResponse post(URI url, byte[] body) throws Exception {
    return client
        .post(url, Map.of("Content-Type", "application/octet-stream"), body, CALL, 1 << 20)
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void postsTheBodyAndReadsALengthFramedResponse() throws Exception {
    URI url = echoServer(false);

    RawResponse response = post(url, "abc".getBytes(StandardCharsets.UTF_8));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).isEqualTo("application/octet-stream");
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("cba");
  }

  @Test
  void readsAChunkedResponseLargerThanOneRead() throws Exception {
    URI url = echoServer(true);
    byte[] body = new byte[300_000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i % 251);
    }

    RawResponse response = post(url, body);

    assertThat(response.body()).hasSize(body.length);
    for (int i = 0; i < body.length; i++) {
      assertThat(response.body()[i]).isEqualTo(body[body.length - 1 - i]);
    }
  }

  @Test
  void sequentialCallsReuseOneConnection() throws Exception {
    URI url = echoServer(false);

    for (int i = 0; i < 50; i++) {
      assertThat(post(url, new byte[] {(byte) i}).body()).containsExactly((byte) i);
    }

    assertThat(client.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void concurrentCallsOpenNoMoreConnectionsThanCallsAtOnce() throws Exception {
    URI url = echoServer(false);
    for (int round = 0; round < 20; round++) {
      List<CompletableFuture<RawResponse>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(
            client.post(
                url,
                Map.of("Content-Type", "application/x-test"),
                new byte[] {(byte) round, (byte) i},
                CALL,
                1 << 20));
      }
      for (int i = 0; i < 8; i++) {
        assertThat(calls.get(i).get(20, TimeUnit.SECONDS).body())
            .containsExactly((byte) i, (byte) round);
      }
    }

    assertThat(client.connectionsOpened()).isBetween(1L, 8L);
  }

  @Test
  void anIdleConnectionTheServerClosedIsNotUsedAgain() throws Exception {
    raw = new RawServer(request -> OK, Mode.CLOSE_AFTER_FIRST);

    assertThat(post(raw.url(), new byte[] {1}).body()).containsExactly('o', 'k');
    raw.awaitClosedByServer();
    assertThat(post(raw.url(), new byte[] {2}).body()).containsExactly('o', 'k');

    assertThat(client.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void aRequestOnAPooledConnectionClosedUnderItIsSentAgainOnANewOne() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    raw =
        new RawServer(
            request -> {
              requests.incrementAndGet();
              return OK;
            },
            Mode.DROP_SECOND);

    assertThat(post(raw.url(), new byte[] {1}).body()).containsExactly('o', 'k');
    assertThat(post(raw.url(), new byte[] {2}).body()).containsExactly('o', 'k');

    assertThat(client.connectionsOpened()).isEqualTo(2);
    assertThat(requests.get()).isEqualTo(2);
    assertThat(raw.dropped()).isEqualTo(1);
  }

  @Test
  void aCallOnAFreshConnectionThatBreaksIsNotSentAgain() throws Exception {
    raw = new RawServer(request -> null, Mode.DROP_FIRST);

    CompletableFuture<RawResponse> call = client.post(raw.url(), Map.of(), new byte[1], CALL, 1);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed before the response began");
    assertThat(client.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void connectionCloseAndBodiesThatRunToTheEndOfTheStreamAreRead() throws Exception {
    raw =
        new RawServer(
            request -> "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-eof", Mode.KEEP);

    assertThat(new String(post(raw.url(), new byte[] {1}).body(), StandardCharsets.UTF_8))
        .isEqualTo("until-eof");
    assertThat(new String(post(raw.url(), new byte[] {1}).body(), StandardCharsets.UTF_8))
        .isEqualTo("until-eof");
    assertThat(client.connectionsOpened()).isEqualTo(2);
  }

  @Test
  void interimResponsesAreSkipped() throws Exception {
    raw =
        new RawServer(
            request ->
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx",
            Mode.KEEP);

    RawResponse response = post(raw.url(), new byte[] {1});

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.body()).containsExactly('x');
  }

  @Test
  void aResponseOverTheLimitFailsAsSoonAsItsLengthIsKnown() throws Exception {
    raw =
        new RawServer(
            request -> "HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n" + "x".repeat(10),
            Mode.KEEP);

    CompletableFuture<RawResponse> call = client.post(raw.url(), Map.of(), new byte[1], CALL, 1000);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ResponseTooLargeException.class)
        .hasMessageContaining("5000000")
        .hasMessageContaining("1000");
  }

  @Test
  void aSlowServerTimesTheCallOut() throws Exception {
    raw = new RawServer(request -> null, Mode.KEEP);

    CompletableFuture<RawResponse> call =
        client.post(raw.url(), Map.of(), new byte[1], Duration.ofMillis(300), 1000);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(HttpTimeoutException.class)
        .hasMessageContaining("timed out");
  }

  @Test
  void aRefusedConnectionFailsWithConnectException() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }

    CompletableFuture<RawResponse> call =
        client.post(URI.create("http://127.0.0.1:" + port + "/"), Map.of(), new byte[1], CALL, 1);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void garbageInsteadOfAStatusLineFailsTheCallWithWhatArrived() throws Exception {
    raw = new RawServer(request -> "SSH-2.0-OpenSSH\r\n\r\n", Mode.KEEP);

    CompletableFuture<RawResponse> call = client.post(raw.url(), Map.of(), new byte[1], CALL, 1);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an HTTP/1.x status line")
        .hasMessageContaining("SSH-2.0");
  }

  @Test
  void headersWithLineBreaksAreRefused() {
    assertThatThrownBy(
            () ->
                client.post(
                    URI.create("http://127.0.0.1:1/"),
                    Map.of("X-Evil", "a\r\nHost: elsewhere"),
                    new byte[1],
                    CALL,
                    1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-Evil");
  }

  @Test
  void callsAfterCloseFailAtOnce() {
    client.close();

    CompletableFuture<RawResponse> call =
        client.post(URI.create("http://127.0.0.1:1/"), Map.of(), new byte[1], CALL, 1);

    assertThat(call).isCompletedExceptionally();
  }

  /** How {@link RawServer} treats its connections. */
  private enum Mode {
    /** Answers every request. */
    KEEP,
    /** Closes each connection after its first response, as on a keep-alive timeout. */
    CLOSE_AFTER_FIRST,
    /** Reads the second request of each connection and closes it without an answer. */
    DROP_SECOND,
    /** Reads the first request of each connection and closes it without an answer. */
    DROP_FIRST
  }

  /**
   * A socket server that reads requests (head and Content-Length body) and writes the given raw
   * response to each; null writes nothing and waits for the client to go.
   */
  private static final class RawServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0);
    private final Thread thread;
    private final CompletableFuture<Void> closedByServer = new CompletableFuture<>();
    private final AtomicInteger dropped = new AtomicInteger();

    RawServer(Function<String, String> respond, Mode mode) throws IOException {
      thread =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket s = socket.accept()) {
                    serve(s, respond, mode);
                  } catch (IOException e) {
                    // The test closed the server, or the client went away.
                  }
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    private void serve(Socket s, Function<String, String> respond, Mode mode) throws IOException {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      for (int turn = 0; ; turn++) {
        String head = RawRequests.readHead(in);
        if (head == null) {
          return;
        }
        int length = RawRequests.contentLength(head);
        in.readNBytes(length);
        if ((mode == Mode.DROP_SECOND && turn == 1) || (mode == Mode.DROP_FIRST && turn == 0)) {
          dropped.incrementAndGet();
          s.close();
          return;
        }
        String response = respond.apply(head);
        if (response == null) {
          in.read();
          return;
        }
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (mode == Mode.CLOSE_AFTER_FIRST || response.contains("Connection: close")) {
          s.close();
          closedByServer.complete(null);
          return;
        }
      }
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/f");
    }

    int dropped() {
      return dropped.get();
    }

    void awaitClosedByServer() throws Exception {
      closedByServer.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
