package io.keyflow.remote.http;

import static io.keyflow.remote.http.RawHttpServer.write;
import static io.keyflow.remote.http.TestPools.CALL;
import static io.keyflow.remote.http.TestPools.post;
import static io.keyflow.remote.http.TestPools.send;
import static io.keyflow.remote.http.TestPools.settings;
import static io.keyflow.remote.http.TestPools.stats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionPoolTest {
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  /**
   * Fails every write while {@code refusing} holds and leaves the channel open, as a TLS engine or
   * an encoder that cannot write a request would.
   */
  private static final class RefusingWrites extends ChannelOutboundHandlerAdapter {
    private final AtomicBoolean refusing;

    RefusingWrites(AtomicBoolean refusing) {
      this.refusing = refusing;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (!refusing.get()) {
        ctx.write(msg, promise);
        return;
      }
      ReferenceCountUtil.release(msg);
      promise.setFailure(new IOException("write refused on purpose"));
    }
  }

  private final TestPools pools = new TestPools();
  private HttpServer server;
  private RawHttpServer raw;

  @AfterEach
  void stop() throws Exception {
    pools.close();
    if (server != null) {
      server.stop(0);
    }
    if (raw != null) {
      raw.close();
    }
  }

  /** A JDK HTTP server that echoes the request body reversed. */
  private URI echoServer(boolean chunked, int threads) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(threads));
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
            exchange.sendResponseHeaders(200, chunked ? 0 : out.length);
            exchange.getResponseBody().write(out);
          }
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fn/counter?x=1");
  }

  private RawHttpServer raw(RawHttpServer.Script script) throws IOException {
    raw = new RawHttpServer(script);
    return raw;
  }

  @Test
  void postsTheBodyAndReadsALengthFramedResponse() throws Exception {
    URI url = echoServer(false, 2);

    Response response = post(pools.pool(url), url, "abc".getBytes(StandardCharsets.UTF_8));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.contentType()).isEqualTo("application/octet-stream");
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("cba");
  }

  @Test
  void readsAChunkedResponseLargerThanOneRead() throws Exception {
    URI url = echoServer(true, 2);
    byte[] body = new byte[300_000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i % 251);
    }

    Response response = post(pools.pool(url), url, body);

    assertThat(response.body()).hasSize(body.length);
    for (int i = 0; i < body.length; i++) {
      assertThat(response.body()[i]).isEqualTo(body[body.length - 1 - i]);
    }
  }

  @Test
  void theDescriptionShowsWaitingCallsAndTheCallsOnEachConnection() throws Exception {
    URI url = echoServer(false, 2);
    ConnectionPool pool = pools.pool(url, settings(1, 1, Duration.ofSeconds(30)));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch answering = new CountDownLatch(1);
    server.removeContext("/");
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            entered.countDown();
            answering.await(20, TimeUnit.SECONDS);
            exchange.sendResponseHeaders(200, -1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    List<ResponseFuture> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(send(pool, url, new byte[] {1}, CALL, 1 << 20));
    }
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    String description = pool.loop().submit(pool::describeOnLoop).get(5, TimeUnit.SECONDS);
    answering.countDown();

    assertThat(description)
        .isEqualTo(
            "http://127.0.0.1:"
                + url.getPort()
                + " (HTTP/1.1): 2 waiting, 1 open, 0 opening; calls on each: 1");
    for (ResponseFuture call : calls) {
      assertThat(call.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }

  @Test
  void sequentialCallsReuseOneConnection() throws Exception {
    URI url = echoServer(false, 2);
    ConnectionPool pool = pools.pool(url);

    for (int i = 0; i < 50; i++) {
      assertThat(post(pool, url, new byte[] {(byte) i}).body()).containsExactly((byte) i);
    }

    assertThat(stats(url).opened()).isEqualTo(1);
  }

  @Test
  void aBurstOfCallsQueuesOnAtMostPoolSizeConnections() throws Exception {
    URI url = echoServer(false, 16);
    ConnectionPool pool = pools.pool(url, settings(4, 1, Duration.ofSeconds(30)));

    List<ResponseFuture> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(send(pool, url, new byte[] {(byte) i, 7}, CALL, 1 << 20));
    }
    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i).get(20, TimeUnit.SECONDS).body()).containsExactly(7, (byte) i);
    }

    assertThat(stats(url).opened()).isBetween(1L, 4L);
    assertThat(stats(url).mostOpen()).isLessThanOrEqualTo(4);
  }

  @Test
  void anIdleConnectionTheServerClosedIsNotUsedAgain() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    raw(
        (connection, turn, head, body, out) -> {
          write(out, OK);
          closed.countDown();
          return false;
        });
    ConnectionPool pool = pools.pool(raw.url());

    assertThat(post(pool, raw.url(), new byte[] {1}).body()).containsExactly('o', 'k');
    closed.await(10, TimeUnit.SECONDS);
    assertThat(post(pool, raw.url(), new byte[] {2}).body()).containsExactly('o', 'k');

    assertThat(raw.connections()).isEqualTo(2);
  }

  @Test
  void aRequestOnAPooledConnectionClosedUnderItIsSentAgainOnANewOne() throws Exception {
    raw(
        (connection, turn, head, body, out) -> {
          if (turn == 1) {
            return false; // reads the second request of a connection and closes it unanswered
          }
          write(out, OK);
          return true;
        });
    ConnectionPool pool = pools.pool(raw.url());

    assertThat(post(pool, raw.url(), new byte[] {1}).body()).containsExactly('o', 'k');
    assertThat(post(pool, raw.url(), new byte[] {2}).body()).containsExactly('o', 'k');

    assertThat(raw.connections()).isEqualTo(2);
    assertThat(raw.requests()).isEqualTo(3);
  }

  @Test
  void aRequestWhoseWriteFailsClosesItsConnectionAndGoesAgainOnANewOne() throws Exception {
    raw(
        (connection, turn, head, body, out) -> {
          write(out, OK);
          return true;
        });
    AtomicBoolean refusing = new AtomicBoolean();
    List<Channel> channels = new CopyOnWriteArrayList<>();
    ConnectionPool pool =
        pools.watchedPool(
            raw.url(),
            settings(1, 1, Duration.ofSeconds(30)),
            channel -> {
              channels.add(channel);
              if (channels.size() == 1) {
                channel.pipeline().addLast(new RefusingWrites(refusing));
              }
            });
    assertThat(post(pool, raw.url(), new byte[] {1}).body()).containsExactly('o', 'k');

    refusing.set(true);
    Response second = post(pool, raw.url(), new byte[] {2});

    assertThat(second.body()).containsExactly('o', 'k');
    assertThat(channels.get(0).isOpen()).as("the connection whose write failed").isFalse();
    assertThat(raw.connections()).isEqualTo(2);
    assertThat(raw.requests()).as("the refused request went out once, on the new one").isEqualTo(2);
  }

  @Test
  void aRequestWaitingAtThePoolSizeGetsANewConnectionWhenAnIdleOneEnds() throws Exception {
    raw(
        (connection, turn, head, body, out) -> {
          write(out, OK);
          return true;
        });
    List<Channel> channels = new CopyOnWriteArrayList<>();
    ConnectionPool pool =
        pools.watchedPool(raw.url(), settings(1, 1, Duration.ofSeconds(30)), channels::add);
    post(pool, raw.url(), new byte[] {1});
    Channel idle = channels.get(0);

    // The idle connection closes, and a request comes before its end is handled: it finds no
    // connection to take and, at pool_size 1, waits.
    ResponseFuture call =
        idle.eventLoop()
            .submit(
                () -> {
                  idle.close();
                  return send(pool, raw.url(), new byte[] {2}, CALL, 1 << 20);
                })
            .get(20, TimeUnit.SECONDS);

    assertThat(call.get(20, TimeUnit.SECONDS).body()).containsExactly('o', 'k');
    assertThat(raw.connections()).isEqualTo(2);
  }

  @Test
  void aCallOnAFreshConnectionThatBreaksIsNotSentAgain() throws Exception {
    raw((connection, turn, head, body, out) -> false);

    ResponseFuture call = send(pools.pool(raw.url()), raw.url(), new byte[1], CALL, 1);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ConnectionClosedException.class)
        .hasMessageContaining("closed before the response began");
    assertThat(raw.connections()).isEqualTo(1);
    assertThat(raw.requests()).isEqualTo(1);
  }

  @Test
  void connectionCloseAndBodiesThatRunToTheEndOfTheStreamAreRead() throws Exception {
    raw(
        (connection, turn, head, body, out) -> {
          write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-eof");
          return false;
        });
    ConnectionPool pool = pools.pool(raw.url());

    assertThat(new String(post(pool, raw.url(), new byte[] {1}).body(), StandardCharsets.UTF_8))
        .isEqualTo("until-eof");
    assertThat(new String(post(pool, raw.url(), new byte[] {1}).body(), StandardCharsets.UTF_8))
        .isEqualTo("until-eof");
    assertThat(raw.connections()).isEqualTo(2);
  }

  @Test
  void interimResponsesAreSkipped() throws Exception {
    raw(
        (connection, turn, head, body, out) -> {
          write(
              out,
              "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx");
          return true;
        });

    Response response = post(pools.pool(raw.url()), raw.url(), new byte[] {1});

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.body()).containsExactly('x');
  }

  @Test
  void aResponseOverTheLimitFailsAsSoonAsItsLengthIsKnown() throws Exception {
    raw(
        (connection, turn, head, body, out) -> {
          write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n" + "x".repeat(10));
          return true;
        });

    ResponseFuture call = send(pools.pool(raw.url()), raw.url(), new byte[1], CALL, 1000);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(BodyTooLargeException.class)
        .hasMessageContaining("5000000")
        .hasMessageContaining("1000");
  }

  @Test
  void aChunkedResponseOverTheLimitFailsOnceItGrowsPastIt() throws Exception {
    String chunk = Integer.toHexString(600) + "\r\n" + "y".repeat(600) + "\r\n";
    raw(
        (connection, turn, head, body, out) -> {
          write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk);
          return true;
        });

    ResponseFuture call = send(pools.pool(raw.url()), raw.url(), new byte[1], CALL, 1000);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(BodyTooLargeException.class)
        .hasMessageContaining("1200");
  }

  @Test
  void aSlowServerTimesTheCallOut() throws Exception {
    raw(
        (connection, turn, head, body, out) -> {
          TimeUnit.SECONDS.sleep(30);
          return false;
        });

    ResponseFuture call =
        send(pools.pool(raw.url()), raw.url(), new byte[1], Duration.ofMillis(300), 1000);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(CallTimeoutException.class)
        .hasMessageContaining("timed out after 300 ms");
  }

  @Test
  void aRefusedConnectionFailsWithConnectException() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    URI url = URI.create("http://127.0.0.1:" + port + "/");

    ResponseFuture call = send(pools.pool(url), url, new byte[1], CALL, 1);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ConnectException.class);
    assertThat(call.startedNanos()).as("never on a connection").isZero();
  }

  @Test
  void connectionsIdleLongerThanThePoolTtlAreClosed() throws Exception {
    raw(
        (connection, turn, head, body, out) -> {
          write(out, OK);
          return true;
        });
    ConnectionPool pool = pools.pool(raw.url(), settings(8, 1, Duration.ofMillis(200)));

    post(pool, raw.url(), new byte[] {1});
    TimeUnit.MILLISECONDS.sleep(700);
    post(pool, raw.url(), new byte[] {1});

    assertThat(raw.connections()).isEqualTo(2);
  }

  @Test
  void callsAfterTheClientClosedFailAtOnce() throws Exception {
    raw(
        (connection, turn, head, body, out) -> {
          write(out, OK);
          return true;
        });
    ConnectionPool pool = pools.pool(raw.url());
    pools.close();

    ResponseFuture call = send(pool, raw.url(), new byte[1], CALL, 1);

    assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed");
  }
}
