package io.keyflow.remote.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 connections to one host and port with one set of settings, and the requests waiting
 * for them.
 *
 * <p><b>How requests meet connections.</b> A request goes onto a connection that can take it: with
 * {@code pipelining} above 1 the least busy connection that already served a response and carries
 * fewer than that many requests, else the most recently used idle connection. Without one it waits,
 * in arrival order, and the pool opens another connection, unless {@code pool_size} are open or
 * being opened, or {@link Connector#MAX_OPENING} are being opened already, or as many are being
 * opened as requests wait. So a burst (a start, a restore re-sending hundreds of requests) opens
 * connections a few at a time, and queues on those that are open instead of opening one per
 * request. Over TLS every connection of a pool shares one TLS context, whose session cache lets
 * later handshakes resume the first one's session.
 *
 * <p><b>Failures.</b> A connection that ends before any byte of a request's response arrived, after
 * it served an earlier response (a pooled connection the server closed meanwhile), sends that
 * request again on another connection, at most {@link #MAX_RESENDS} times; so are requests
 * pipelined behind a failed one. A request that cannot be written goes again, with the requests
 * behind it, at most as often; its connection closes once the requests written before it are
 * answered. A malformed response, an oversized body or a timeout closes the connection and fails
 * only its request. A connection that ends lets a waiting request open another, also at {@code
 * pool_size}. When a connection cannot be opened while none is open, every waiting request fails
 * with the reason.
 *
 * <p><b>Threading.</b> Each pool lives on one event loop: every field is used there only, except
 * the counters. {@link #post} may be called from any thread; futures complete on the event loop.
 */
public final class ConnectionPool implements HttpPool {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);
  private static final AttributeKey<Connection> CONNECTION = AttributeKey.valueOf("keyflow.conn");

  /** Sending a request again more often than this means the server is not just closing idly. */
  private static final int MAX_RESENDS = 3;

  private final String route;
  private final String host;
  private final int port;
  private final EventLoop loop;
  private final PoolTls tls;
  private final Connector connector;
  private final int pipelining;
  private final Duration handshakeTimeout;
  private final long idleTimeoutNanos;
  private final Consumer<Channel> watch;

  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
  private final Http1Connections connections = new Http1Connections();
  private final RequestHeads heads = new RequestHeads();
  private boolean noPipelining;
  private boolean closed;

  /**
   * @param tls the pool's TLS, or null for {@code http}
   */
  ConnectionPool(PoolKey key, EventLoop loop, PoolTls tls, ConnectionStats stats) {
    this(key, loop, tls, stats, channel -> {});
  }

  /**
   * @param tls the pool's TLS, or null for {@code http}
   * @param watch sees each new connection's channel before its handlers are added (tests)
   */
  ConnectionPool(
      PoolKey key, EventLoop loop, PoolTls tls, ConnectionStats stats, Consumer<Channel> watch) {
    this.watch = watch;
    this.route = key.route();
    this.host = key.host();
    this.port = key.port();
    this.loop = loop;
    this.tls = tls;
    this.pipelining = key.transport().pipelining();
    this.handshakeTimeout = key.transport().connect();
    // A failed write does not close the channel: responses to the requests written before it may
    // still be read (see writeFailed).
    this.connector = new Connector(key, loop, stats, false, this::setUp);
    this.idleTimeoutNanos =
        Connector.closeIdleEvery(loop, key.transport().poolTtl(), this::closeIdle);
  }

  /** Scheme, host and port, such as {@code https://fn.example:443}. */
  String route() {
    return route;
  }

  /**
   * POSTs {@code body} to {@code uri} (path and query) with the given headers.
   *
   * @param timeout for the exchange once it is on a connection; waiting for one is not counted
   * @param maxBodyBytes a larger response fails with {@link BodyTooLargeException}
   * @return the response; fails with an {@link IOException}
   */
  @Override
  public ResponseFuture post(
      String uri, HttpHeaders headers, byte[] body, Duration timeout, long maxBodyBytes) {
    Exchange exchange = new Exchange(uri, headers, body, timeout.toNanos(), maxBodyBytes);
    return PoolLoop.submit(loop, exchange, this::submit);
  }

  private void setUp(Channel channel) {
    watch.accept(channel);
    Connection connection = new Connection(channel);
    channel.attr(CONNECTION).set(connection);
    if (tls != null) {
      SslHandler handler = Pipelines.addTls(channel, tls, host, port, handshakeTimeout);
      connection.engine = handler.engine();
      handler
          .handshakeFuture()
          .addListener(
              done -> {
                if (done.isSuccess()) {
                  ready(connection);
                } else {
                  broken(connection, done.cause());
                }
              });
    }
    Pipelines.addHttp1(channel.pipeline(), new ResponseReader(this, connection));
  }

  private void submit(Exchange exchange) {
    if (closed) {
      exchange.result.completeExceptionally(new IOException("the HTTP client is closed"));
      return;
    }
    waiting.addLast(exchange);
    dispatch();
  }

  /** Puts waiting requests onto connections, and opens connections for the rest. */
  private void dispatch() {
    while (!waiting.isEmpty()) {
      Connection connection = connections.pick(noPipelining ? 1 : pipelining);
      if (connection == null) {
        break;
      }
      send(connection, waiting.pollFirst());
    }
    // A connection being opened takes as many waiting requests as it may carry at once.
    int perConnection = noPipelining ? 1 : pipelining;
    while (!closed && connector.shouldOpen(waiting.size(), perConnection)) {
      open();
    }
  }

  private void send(Connection connection, Exchange exchange) {
    long now = System.nanoTime();
    exchange.start(now);
    connection.add(exchange);
    exchange.timeout =
        loop.schedule(
            () -> timedOut(connection, exchange),
            Math.max(0, exchange.deadlineNanos - now),
            TimeUnit.NANOSECONDS);
    connection
        .channel
        .writeAndFlush(exchange.request(connection.channel.alloc(), heads))
        .addListener(
            written -> {
              if (!written.isSuccess()) {
                writeFailed(connection, exchange, written.cause());
              }
            });
  }

  private void open() {
    ChannelFuture connecting = connector.open();
    connecting.addListener(
        (ChannelFuture done) -> {
          Connection connection = done.channel().attr(CONNECTION).get();
          if (connection == null) {
            // The channel never got as far as its pipeline.
            connector.notOpened(done.channel());
            notOpened(null, done.cause());
            dispatch();
          } else if (!done.isSuccess()) {
            broken(connection, done.cause());
          } else if (tls == null) {
            ready(connection);
          }
        });
  }

  /**
   * A request could not be written, so the server never got it whole: it and the requests pipelined
   * after it leave the connection and go again (at most {@link #MAX_RESENDS} times). The connection
   * takes no more requests and closes at once, or, when requests written before the failed one are
   * still out, once their responses are read (the server may have answered them before it closed;
   * each still has its timeout, and the connection's end fails or resends them).
   */
  private void writeFailed(Connection connection, Exchange exchange, Throwable cause) {
    if (connection.closed) {
      return;
    }
    List<Exchange> unsent = connection.releaseFrom(exchange);
    if (unsent.isEmpty()) {
      return;
    }
    unsent.forEach(Exchange::stopTimer);
    if (connection.isIdle()) {
      close(connection);
    } else {
      connection.retired = true;
    }
    IOException error =
        new ConnectionClosedException(
            "writing a request to " + route + " failed: " + Connector.describe(cause), cause);
    resendOrFail(unsent, error);
    dispatch();
  }

  private void ready(Connection connection) {
    if (connection.closed || connection.ready) {
      return;
    }
    connector.opened(connection.channel);
    connection.ready = true;
    if (closed) {
      connection.closed = true;
      connector.closed();
      connection.channel.close();
      return;
    }
    connections.idle(connection, System.nanoTime());
    dispatch();
  }

  /** A response was read completely for the connection's oldest exchange. */
  void answered(Connection connection, Response response, boolean keepAlive) {
    Exchange done = connection.finishHead();
    done.stopTimer();
    boolean wasReused = connection.reused;
    connection.reused = true;
    if (!keepAlive || closed) {
      List<Exchange> behind = close(connection);
      // Closing after the first response means the server keeps no connection alive; closing a
      // later one (a limit of requests per connection) does not.
      if (!behind.isEmpty() && !wasReused && !noPipelining) {
        noPipelining = true;
        LOG.warn(
            "{} closes each connection after one response; requests to it are no longer"
                + " pipelined",
            route);
      }
      resendOrFail(behind, new ConnectionClosedException(route + " closed the connection", null));
    } else if (connection.isIdle() && connection.retired) {
      close(connection);
    } else if (connection.isIdle()) {
      connections.idle(connection, System.nanoTime());
    }
    done.result.complete(response);
    dispatch();
  }

  /**
   * The connection broke, or is closed for a bad response ({@code cause}; null when the peer closed
   * it). Its exchanges fail or go again (see the class comment).
   */
  void broken(Connection connection, Throwable cause) {
    if (connection.closed) {
      return;
    }
    boolean wasReady = connection.ready;
    if (!wasReady) {
      connection.closed = true;
      connector.notOpened(connection.channel);
      connection.channel.close();
      notOpened(connection, cause);
      dispatch();
      return;
    }
    List<Exchange> all = close(connection);
    TlsConfigurationException tlsError = classify(connection, cause);
    if (tlsError != null) {
      all.forEach(e -> e.result.completeExceptionally(tlsError));
      failWaiting(tlsError);
      return;
    }
    if (!all.isEmpty()) {
      Exchange head = all.get(0);
      IOException error = ConnectionClosedException.of(route, cause, head.responseStarted);
      if (!head.responseStarted && connection.reused && head.resends < MAX_RESENDS && !closed) {
        resendOrFail(all, error);
      } else {
        head.result.completeExceptionally(error);
        resendOrFail(all.subList(1, all.size()), error);
      }
    }
    // Also for an idle connection: requests waiting at pool_size may open another in its place.
    dispatch();
  }

  private void notOpened(Connection connection, Throwable cause) {
    TlsConfigurationException tlsError = classify(connection, cause);
    IOException error = connector.whyNotOpened(tlsError != null ? tlsError : cause);
    if (error != null) {
      failWaiting(error);
    }
  }

  /** The TLS configuration error behind {@code cause}, or null. */
  private TlsConfigurationException classify(Connection connection, Throwable cause) {
    if (cause == null || tls == null) {
      return null;
    }
    return tls.classify(cause, connection == null ? null : connection.engine, route, host);
  }

  private void timedOut(Connection connection, Exchange exchange) {
    if (exchange.result.isDone() || connection.closed) {
      return;
    }
    long now = System.nanoTime();
    List<Exchange> behind = new ArrayList<>();
    for (Exchange other : close(connection)) {
      if (other == exchange || now - other.deadlineNanos >= 0) {
        other.result.completeExceptionally(
            CallTimeoutException.after(route, other.timeoutNanos, other.responseStarted));
      } else {
        behind.add(other);
      }
    }
    resendOrFail(
        behind,
        new ConnectionClosedException(
            "connection to " + route + " closed: a request before this one on it timed out", null));
    dispatch();
  }

  /** Closes a ready connection and takes its exchanges off it, their timers stopped. */
  private List<Exchange> close(Connection connection) {
    connection.closed = true;
    connector.closed();
    connections.remove(connection);
    connection.channel.close();
    List<Exchange> all = connection.releaseAll();
    all.forEach(Exchange::stopTimer);
    return all;
  }

  /** Sends requests that got none of their response once more, or fails them. */
  private void resendOrFail(List<Exchange> exchanges, IOException error) {
    for (int i = exchanges.size() - 1; i >= 0; i--) {
      Exchange exchange = exchanges.get(i);
      if (exchange.resends < MAX_RESENDS && !closed) {
        exchange.resends++;
        exchange.responseStarted = false;
        waiting.addFirst(exchange);
      } else {
        exchange.result.completeExceptionally(error);
      }
    }
  }

  private void failWaiting(IOException error) {
    Exchange.failAll(waiting, error);
  }

  private void closeIdle() {
    long now = System.nanoTime();
    Connection oldest;
    while ((oldest = connections.idleLongerThan(idleTimeoutNanos, now)) != null) {
      close(oldest);
    }
  }

  @Override
  public EventLoop loop() {
    return loop;
  }

  @Override
  public String describeOnLoop() {
    StringBuilder out = connector.describe("HTTP/1.1", closed, waiting.size());
    out.append(" calls on each:");
    for (Connection connection : connections.all()) {
      out.append(' ').append(connection.load()).append(connection.retired ? " (retired)" : "");
    }
    return out.toString();
  }

  /** Fails what waits and closes every connection, on the event loop. */
  @Override
  public void shutdownOnLoop() {
    PoolLoop.shutdown(loop, this::shutdown);
  }

  private void shutdown() {
    closed = true;
    IOException closing = new IOException("the HTTP client is closed");
    failWaiting(closing);
    for (Connection connection : connections.all()) {
      close(connection).forEach(e -> e.result.completeExceptionally(closing));
    }
  }
}
