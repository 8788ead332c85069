package io.keyflow.remote.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 connections to one host and port with one set of settings, and the calls waiting for
 * them: {@code h2} negotiated with ALPN over TLS, or {@code h2c} with prior knowledge over
 * cleartext.
 *
 * <p><b>How calls meet connections.</b> Each call is a stream of its own. A call goes onto the
 * ready connection with the fewest calls on it, provided it has fewer than the server's {@code
 * SETTINGS_MAX_CONCURRENT_STREAMS} and {@link #MAX_STREAMS} (a connection is one event-loop thread
 * on each side: a few connections spread a busy endpoint over the server's threads). Without one it
 * waits, in arrival order, and the pool opens another connection unless {@code maxConnections} are
 * open or being opened, or those being opened will take every waiting call. So hundreds of calls
 * share a handful of connections.
 *
 * <p><b>Failures.</b> A stream the server reset or did not answer right (a response without a
 * status, data before headers, a body over the limit, a timeout) fails only its call; the
 * connection carries on. A stream the server refused ({@code REFUSED_STREAM}, or above the last
 * stream of its {@code GOAWAY}), and one whose connection ended before any of its response arrived,
 * goes again on another connection, at most {@link #MAX_RESENDS} times. A timed-out call whose
 * connection has sent nothing since the call began closes the connection too. A server that does
 * not speak HTTP/2 is a configuration error, not retried.
 *
 * <p><b>Dead peers.</b> A connection that has read nothing for {@code pingAfter} sends a {@code
 * PING}; if nothing arrives within another {@code pingAfter}, the peer is presumed dead (a host
 * that vanished, a middlebox that dropped the connection without a reset) and the connection is
 * closed, which sends its calls again on another. So an idle connection is found dead before a call
 * is put on it, and a call on a dead one waits {@code 2 * pingAfter} at most, not its timeout.
 *
 * <p><b>Threading.</b> Each pool lives on one event loop, with its connections and their streams:
 * every field is used there only. {@link #post} may be called from any thread; futures complete on
 * the event loop.
 */
public final class Http2Pool implements HttpPool {
  private static final AttributeKey<Http2Connection> CONNECTION =
      AttributeKey.valueOf("keyflow.h2conn");

  /** Calls one connection carries at once, at most. */
  static final int MAX_STREAMS = 100;

  /** Sending a call again more often than this means more than a refused stream. */
  static final int MAX_RESENDS = 3;

  /** How long a connection may read nothing before it is checked with a PING. */
  static final Duration PING_AFTER = Duration.ofSeconds(10);

  private final String route;
  private final String scheme;
  private final String host;
  private final int port;
  private final EventLoop loop;
  private final PoolTls tls;
  private final Connector connector;
  private final Duration connectTimeout;
  private final long idleTimeoutNanos;
  private final Duration pingAfter;

  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
  private final List<Http2Connection> connections = new ArrayList<>();
  private boolean closed;

  /**
   * @param tls the pool's TLS (its context offering {@code h2} by ALPN), or null for {@code h2c}
   * @param pingAfter silence after which a connection is checked with a PING
   */
  Http2Pool(PoolKey key, EventLoop loop, PoolTls tls, ConnectionStats stats, Duration pingAfter) {
    this.route = key.route();
    this.scheme = key.scheme();
    this.host = key.host();
    this.port = key.port();
    this.loop = loop;
    this.tls = tls;
    this.connectTimeout = key.transport().connect();
    this.pingAfter = pingAfter;
    this.connector = new Connector(key, loop, stats, true, this::setUp);
    this.idleTimeoutNanos =
        Connector.closeIdleEvery(loop, key.transport().poolTtl(), this::closeIdle);
  }

  /** Scheme, host and port, such as {@code https://fn.example:443}. */
  String route() {
    return route;
  }

  @Override
  public ResponseFuture post(
      String uri, HttpHeaders headers, byte[] body, Duration timeout, long maxBodyBytes) {
    Exchange exchange = new Exchange(uri, headers, body, timeout.toNanos(), maxBodyBytes);
    return PoolLoop.submit(loop, exchange, this::submit);
  }

  private void setUp(Channel channel) {
    Http2Connection connection = new Http2Connection(channel, MAX_STREAMS);
    channel.attr(CONNECTION).set(connection);
    if (tls != null) {
      SslHandler handler = Pipelines.addTls(channel, tls, host, port, connectTimeout);
      connection.engine = handler.engine();
      handler
          .handshakeFuture()
          .addListener(
              done -> {
                if (!done.isSuccess()) {
                  broken(connection, done.cause());
                } else if (!ApplicationProtocolNames.HTTP_2.equals(handler.applicationProtocol())) {
                  broken(connection, Http2NotSpoken.byAlpn(route, handler.applicationProtocol()));
                }
              });
    }
    Pipelines.addHttp2(channel.pipeline(), pingAfter, new Http2ConnectionWatch(this, connection));
  }

  private void submit(Exchange exchange) {
    if (closed) {
      exchange.result.completeExceptionally(new IOException("the HTTP client is closed"));
      return;
    }
    waiting.addLast(exchange);
    dispatch();
  }

  /** Puts waiting calls onto connections, and opens connections for the rest. */
  private void dispatch() {
    while (!waiting.isEmpty()) {
      Http2Connection connection = pick();
      if (connection == null) {
        break;
      }
      send(connection, waiting.pollFirst());
    }
    while (!closed && connector.shouldOpen(waiting.size(), MAX_STREAMS)) {
      open();
    }
  }

  private Http2Connection pick() {
    Http2Connection best = null;
    for (Http2Connection candidate : connections) {
      if (candidate.canTake() && (best == null || candidate.active < best.active)) {
        best = candidate;
      }
    }
    return best;
  }

  private void send(Http2Connection connection, Exchange exchange) {
    long now = System.nanoTime();
    exchange.start(now);
    connection.active++;
    Http2Call call = new Http2Call(this, connection, exchange, now);
    exchange.timeout =
        loop.schedule(
            call::timedOut, Math.max(0, exchange.deadlineNanos - now), TimeUnit.NANOSECONDS);
    new Http2StreamChannelBootstrap(connection.channel)
        .handler(call)
        .open()
        .addListener(
            (Future<Http2StreamChannel> opened) -> {
              if (!opened.isSuccess()) {
                call.fail(
                    new ConnectionClosedException(
                        "cannot open a stream to " + route + ": " + opened.cause(), opened.cause()),
                    true);
                return;
              }
              call.write(opened.getNow(), scheme);
            });
  }

  private void open() {
    ChannelFuture connecting = connector.open();
    connecting.addListener(
        (ChannelFuture done) -> {
          Http2Connection connection = done.channel().attr(CONNECTION).get();
          if (connection == null) {
            connector.notOpened(done.channel());
            notOpened(done.cause());
            dispatch();
          } else if (!done.isSuccess()) {
            broken(connection, done.cause());
          } else {
            // Ready once the server's SETTINGS arrive; a server that never sends them is no
            // HTTP/2 server.
            loop.schedule(
                () -> {
                  if (!connection.ready && !connection.closed) {
                    broken(
                        connection,
                        new ConnectException(
                            "no HTTP/2 SETTINGS from "
                                + route
                                + " within "
                                + connectTimeout.toMillis()
                                + " ms"));
                  }
                },
                connectTimeout.toMillis(),
                TimeUnit.MILLISECONDS);
          }
        });
  }

  /** The server's SETTINGS arrived: the first make the connection ready. */
  void settings(Http2Connection connection, Http2Settings settings) {
    connection.lastReadNanos = System.nanoTime();
    Long max = settings.maxConcurrentStreams();
    if (max != null) {
      connection.maxStreams = (int) Math.max(1, Math.min(MAX_STREAMS, max));
    }
    if (connection.closed) {
      return;
    }
    if (!connection.ready) {
      connector.opened(connection.channel);
      connection.ready = true;
      connection.idleSinceNanos = System.nanoTime();
      connections.add(connection);
      if (closed) {
        close(connection);
        return;
      }
    }
    dispatch();
  }

  /** The server sends GOAWAY: the connection takes no new calls and closes when it has none. */
  void goingAway(Http2Connection connection) {
    connection.goingAway = true;
    if (connection.ready && connection.active == 0) {
      close(connection);
    }
    dispatch();
  }

  /**
   * Nothing was read on {@code connection} for {@link #pingAfter}: a PING asks the server for a
   * sign of life, and a connection that gives none in time is closed as dead.
   */
  void silent(Http2Connection connection) {
    if (!connection.ready || connection.closed) {
      return;
    }
    long sent = System.nanoTime();
    connection.channel.writeAndFlush(new DefaultHttp2PingFrame(sent));
    loop.schedule(
        () -> {
          if (!connection.closed && connection.lastReadNanos - sent < 0) {
            broken(
                connection,
                new ConnectionClosedException(
                    route
                        + " answered no PING within "
                        + pingAfter.toMillis()
                        + " ms after "
                        + pingAfter.toMillis()
                        + " ms of silence: the connection is presumed dead",
                    null));
          }
        },
        pingAfter.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * A call ended on {@code connection}: answered ({@code response}), or failed with {@code error},
   * in which case it goes again if {@code resend} allows and none of its response arrived.
   */
  void finished(
      Http2Connection connection,
      Exchange exchange,
      Response response,
      IOException error,
      boolean resend) {
    exchange.stopTimer();
    connection.active--;
    if (response != null) {
      connection.reused = true;
    }
    if (connection.active == 0) {
      connection.idleSinceNanos = System.nanoTime();
      if (connection.goingAway && connection.ready && !connection.closed) {
        close(connection);
      }
    }
    if (response != null) {
      exchange.result.complete(response);
    } else if (resend && !exchange.responseStarted && exchange.resends < MAX_RESENDS && !closed) {
      exchange.resends++;
      waiting.addFirst(exchange);
    } else {
      exchange.result.completeExceptionally(error);
    }
    dispatch();
  }

  /**
   * A call timed out: a connection that sent nothing since the call began is presumed dead and
   * closed, which sends its other calls again.
   */
  void timedOut(Http2Connection connection, long callStartedNanos) {
    if (!connection.closed && connection.lastReadNanos - callStartedNanos < 0) {
      broken(connection, new CallTimeoutException("no frame from " + route + " in time"));
    }
  }

  /** The connection broke ({@code cause}; null when the server closed it). */
  void broken(Http2Connection connection, Throwable cause) {
    if (connection.closed) {
      return;
    }
    if (!connection.ready) {
      connection.closed = true;
      connector.notOpened(connection.channel);
      connection.channel.close();
      notOpened(cause == null ? null : classify(connection, cause));
      dispatch();
      return;
    }
    // Its streams end with it, and their calls go again or fail (see finished).
    close(connection);
    dispatch();
  }

  private Throwable classify(Http2Connection connection, Throwable cause) {
    if (cause instanceof TlsConfigurationException) {
      return cause;
    }
    TlsConfigurationException error =
        tls != null
            ? tls.classify(cause, connection.engine, route, host)
            : Http2NotSpoken.inCleartext(route, cause);
    if (error != null) {
      return error;
    }
    return cause;
  }

  private void notOpened(Throwable cause) {
    IOException error = connector.whyNotOpened(cause);
    if (error != null) {
      failWaiting(error);
    }
  }

  private void close(Http2Connection connection) {
    connection.closed = true;
    connector.closed();
    connections.remove(connection);
    connection.channel.close();
  }

  private void failWaiting(IOException error) {
    Exchange.failAll(waiting, error);
  }

  private void closeIdle() {
    long now = System.nanoTime();
    for (Http2Connection connection : new ArrayList<>(connections)) {
      if (connection.active == 0 && now - connection.idleSinceNanos >= idleTimeoutNanos) {
        close(connection);
      }
    }
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public EventLoop loop() {
    return loop;
  }

  @Override
  public String describeOnLoop() {
    StringBuilder out = connector.describe("HTTP/2", closed, waiting.size());
    for (Http2Connection connection : connections) {
      out.append(' ').append(connection.describe(System.nanoTime()));
    }
    return out.toString();
  }

  @Override
  public void shutdownOnLoop() {
    PoolLoop.shutdown(loop, this::shutdown);
  }

  private void shutdown() {
    closed = true;
    failWaiting(new IOException("the HTTP client is closed"));
    for (Http2Connection connection : new ArrayList<>(connections)) {
      close(connection);
    }
  }
}
