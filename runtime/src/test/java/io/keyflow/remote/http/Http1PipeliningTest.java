package io.keyflow.remote.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests pipelined on few connections, against a server that answers in order. */
class Http1PipeliningTest {
  private static final Duration CALL = Duration.ofSeconds(10);
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private Http1Client client(int maxPipelined) {
    Http1Client client =
        new Http1Client(Duration.ofSeconds(5), Duration.ofSeconds(30), maxPipelined);
    closing.add(client);
    return client;
  }

  private InOrderServer server(int closeAfter, boolean sayClose) throws IOException {
    InOrderServer server = new InOrderServer(closeAfter, sayClose);
    closing.add(server);
    return server;
  }

  private static List<CompletableFuture<RawResponse>> postAll(Http1Client client, URI url, int n) {
    List<CompletableFuture<RawResponse>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(
          client.post(
              url, Map.of(), ("call-" + i).getBytes(StandardCharsets.UTF_8), CALL, 1 << 20));
    }
    return calls;
  }

  private static void assertEachGotItsOwnAnswer(List<CompletableFuture<RawResponse>> calls)
      throws Exception {
    for (int i = 0; i < calls.size(); i++) {
      RawResponse response = calls.get(i).get(20, TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(200);
      assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("re: call-" + i);
    }
  }

  @Test
  void concurrentCallsArePipelinedOnOneConnectionAndEachGetsItsOwnResponse() throws Exception {
    InOrderServer server = server(0, false);
    Http1Client client = client(64);

    List<CompletableFuture<RawResponse>> calls = postAll(client, server.url(), 40);

    assertEachGotItsOwnAnswer(calls);
    assertThat(client.connectionsOpened()).isEqualTo(1);
    assertThat(server.mostPipelined()).as("requests read back to back").isGreaterThan(1);

    // The connection stays in use for the next round.
    assertEachGotItsOwnAnswer(postAll(client, server.url(), 10));
    assertThat(client.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void withoutPipeliningEachConnectionCarriesOneCallAtATime() throws Exception {
    InOrderServer server = server(0, false);
    Http1Client client = client(1);

    assertEachGotItsOwnAnswer(postAll(client, server.url(), 1));
    assertEachGotItsOwnAnswer(postAll(client, server.url(), 1));

    assertThat(server.mostPipelined()).isEqualTo(1);
    assertThat(client.connectionsOpened()).isEqualTo(1);
  }

  @Test
  void callsBehindAResponseAfterWhichTheServerClosesGoAgainOnANewConnection() throws Exception {
    // Like a server with a limit of requests per connection: it answers three, then closes.
    InOrderServer server = server(3, false);
    Http1Client client = client(16);

    List<CompletableFuture<RawResponse>> calls = postAll(client, server.url(), 12);

    assertEachGotItsOwnAnswer(calls);
    assertThat(client.connectionsOpened()).isGreaterThanOrEqualTo(4);
  }

  @Test
  void aServerThatSaysCloseAfterEveryResponseIsNoLongerPipelinedTo() throws Exception {
    InOrderServer server = server(1, true);
    Http1Client client = client(16);

    List<CompletableFuture<RawResponse>> calls = postAll(client, server.url(), 6);

    assertEachGotItsOwnAnswer(calls);
    assertEachGotItsOwnAnswer(postAll(client, server.url(), 3));
    assertThat(server.mostPipelined()).isLessThanOrEqualTo(6);
  }

  /**
   * A one-connection-at-a-time server that answers each request {@code re: <body>} in order,
   * closing the connection after {@code closeAfter} responses (0: never), optionally saying so in a
   * {@code Connection: close} header.
   */
  private static final class InOrderServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0);
    private final AtomicInteger mostPipelined = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    InOrderServer(int closeAfter, boolean sayClose) throws IOException {
      Thread thread =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket s = socket.accept()) {
                    open.add(s);
                    serve(s, closeAfter, sayClose);
                  } catch (IOException e) {
                    // The test closed the server, or the client went away.
                  }
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    private void serve(Socket s, int closeAfter, boolean sayClose) throws IOException {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      for (int answered = 1; ; answered++) {
        String head = RawRequests.readHead(in);
        if (head == null) {
          return;
        }
        int length = RawRequests.contentLength(head);
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        // Bytes already waiting are requests the client sent before this answer: pipelined.
        int waiting = in.available() > 0 ? 2 : 1;
        mostPipelined.accumulateAndGet(waiting, Math::max);
        boolean last = closeAfter > 0 && answered == closeAfter;
        String reply = "re: " + body;
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Length: "
                    + reply.length()
                    + (last && sayClose ? "\r\nConnection: close" : "")
                    + "\r\n\r\n"
                    + reply)
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (last) {
          return;
        }
      }
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/f");
    }

    int mostPipelined() {
      return mostPipelined.get();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
