package io.keyflow.remote.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Opens the connections of one pool and counts them: those open ({@link #live}) and those being
 * opened, the TCP connect and, over TLS, the handshake. It holds the rule that bounds how fast a
 * pool opens connections: another only while fewer than {@code pool_size} are open or being opened,
 * fewer than {@link #MAX_OPENING} are being opened, and those being opened will not take every
 * waiting request already. Used on the pool's event loop only.
 */
final class Connector {
  /** Connections being opened (TCP connect and TLS handshake) at once, at most. */
  static final int MAX_OPENING = 8;

  /** The lane of a connection: which of those being opened at once it is (see {@link PoolTls}). */
  private static final AttributeKey<Integer> LANE = AttributeKey.valueOf("keyflow.lane");

  private final String route;
  private final String host;
  private final int port;
  private final int maxConnections;
  private final ConnectionStats stats;
  private final Bootstrap bootstrap;
  private int live;
  private int opening;
  private final boolean[] lanesInUse = new boolean[MAX_OPENING];

  /**
   * @param closeOnWriteFailure false to leave a connection whose write failed open for reading
   * @param setUp builds a new connection's pipeline
   */
  Connector(
      PoolKey key,
      EventLoop loop,
      ConnectionStats stats,
      boolean closeOnWriteFailure,
      Consumer<Channel> setUp) {
    this.route = key.route();
    this.host = key.host();
    this.port = key.port();
    this.maxConnections = key.transport().poolSize();
    this.stats = stats;
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.AUTO_CLOSE, closeOnWriteFailure)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, key.transport().connect().toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    setUp.accept(channel);
                  }
                });
  }

  /**
   * Whether to open another connection for {@code waiting} requests, when one connection being
   * opened will take {@code perConnection} of them.
   */
  boolean shouldOpen(int waiting, int perConnection) {
    return waiting > (long) opening * perConnection
        && live + opening < maxConnections
        && opening < MAX_OPENING;
  }

  /** Starts opening a connection, in a lane no other connection being opened has. */
  ChannelFuture open() {
    int lane = 0;
    while (lane < MAX_OPENING - 1 && lanesInUse[lane]) {
      lane++;
    }
    lanesInUse[lane] = true;
    opening++;
    stats.countOpened();
    stats.noteOpen(live + opening);
    // Set on the channel before its pipeline is built, which asks for it (TLS).
    bootstrap.attr(LANE, lane);
    return bootstrap.connect(host, port);
  }

  /** The lane {@code channel} was opened in. */
  static int lane(Channel channel) {
    Integer lane = channel.attr(LANE).get();
    return lane == null ? 0 : lane;
  }

  /** The connection of {@code channel}, being opened, is ready for requests. */
  void opened(Channel channel) {
    lanesInUse[lane(channel)] = false;
    opening--;
    live++;
  }

  /** The connection of {@code channel}, being opened, failed or was given up. */
  void notOpened(Channel channel) {
    lanesInUse[lane(channel)] = false;
    opening--;
  }

  /** A ready connection closed. */
  void closed() {
    live--;
  }

  /**
   * The start of a pool's description: its route and {@code protocol}, whether it is closed, the
   * {@code waiting} requests and the connections open and being opened.
   */
  StringBuilder describe(String protocol, boolean closed, int waiting) {
    return new StringBuilder(route)
        .append(" (")
        .append(protocol)
        .append(closed ? ", closed" : "")
        .append("): ")
        .append(waiting)
        .append(" waiting, ")
        .append(live)
        .append(" open, ")
        .append(opening)
        .append(" opening;");
  }

  /** Connections open and ready. */
  int live() {
    return live;
  }

  /**
   * What to fail the waiting requests with now that a connection could not be opened for {@code
   * cause} (null when it closed while connecting): a TLS configuration error always; another
   * failure only while no connection is open, else null, as the open ones serve the waiting
   * requests and the next connection needed is opened anew.
   */
  IOException whyNotOpened(Throwable cause) {
    if (cause instanceof TlsConfigurationException configuration) {
      return configuration;
    }
    if (live > 0) {
      return null;
    }
    if (cause instanceof ConnectException connect) {
      return connect;
    }
    ConnectException refused =
        new ConnectException(
            "cannot connect to "
                + route
                + ": "
                + (cause == null ? "closed while connecting" : describe(cause)));
    refused.initCause(cause);
    return refused;
  }

  /**
   * Runs {@code closeIdle} on {@code loop} often enough to close connections idle for {@code ttl};
   * never when {@code ttl} is zero (no limit).
   *
   * @return the idle time after which a connection closes, in nanoseconds ({@link Long#MAX_VALUE}
   *     for none)
   */
  static long closeIdleEvery(EventLoop loop, Duration ttl, Runnable closeIdle) {
    if (ttl.isZero()) {
      return Long.MAX_VALUE;
    }
    long every = Math.max(100, Math.min(1000, ttl.toMillis() / 2));
    loop.scheduleAtFixedRate(closeIdle, every, every, TimeUnit.MILLISECONDS);
    return ttl.toNanos();
  }

  /** The innermost cause's class and message, for an error message. */
  static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : " " + message);
  }
}
