package io.keyflow.remote.http;

import io.keyflow.module.HttpProtocol;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Keyflow's HTTP client for {@code http:} and {@code https:} alike, on Netty: a few event-loop
 * threads shared by every function client in the JVM, and one pool per host, port and transport
 * settings: a {@link ConnectionPool} of HTTP/1.1 connections, or an {@link Http2Pool} that
 * multiplexes calls on few HTTP/2 connections. It is shared while any function client uses it
 * ({@link #acquire}), and its threads end with the last one ({@link #close}), so a job leaves no
 * thread behind in a TaskManager. The TLS contexts of its pools outlive it ({@link TlsContexts}): a
 * job restarted in the same JVM resumes the TLS sessions of its previous run.
 */
public final class HttpTransport implements AutoCloseable {
  private static final Object LOCK = new Object();
  private static final Map<String, ConnectionStats> STATS = new ConcurrentHashMap<>();
  private static HttpTransport shared;

  private final EventLoopGroup group;
  private final Map<PoolId, HttpPool> pools = new ConcurrentHashMap<>();
  private int users;

  /**
   * A pool's identity: its key, and the fingerprint of its TLS material (empty for {@code http}). A
   * pool made for material that has since changed stays until the client closes; its idle
   * connections close after {@code pool_ttl}.
   */
  private record PoolId(PoolKey key, String tlsFingerprint) {}

  private HttpTransport() {
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory("keyflow-http", true), NioIoHandler.newFactory());
  }

  /** The JVM's client, started if no one uses it; {@link #close} releases it. */
  public static HttpTransport acquire() {
    synchronized (LOCK) {
      if (shared == null) {
        shared = new HttpTransport();
      }
      shared.users++;
      return shared;
    }
  }

  /**
   * The pool for {@code key}, made on first use. Over {@code https} a pool is also told apart by
   * its TLS material's content, so that a client made after a TLS file changed gets a pool (and a
   * TLS context) of its own.
   *
   * @param tls what to trust and present over TLS, read from the endpoint's files; asked only for
   *     an {@code https} key
   * @throws IllegalArgumentException when the TLS material is unusable, naming the field
   */
  public HttpPool pool(PoolKey key, Supplier<ClientTlsSource> tls) {
    if (!key.tls()) {
      PoolId id = new PoolId(key, "");
      HttpPool pool = pools.get(id);
      return pool != null ? pool : pools.computeIfAbsent(id, k -> newPool(key, null));
    }
    ClientTlsSource source = tls.get();
    return pools.computeIfAbsent(
        new PoolId(key, source.fingerprint()),
        k -> newPool(key, TlsContexts.context(source, key.transport().protocol(), key.route())));
  }

  /** Connections to {@code route} (such as {@code https://host:443}) in this JVM so far. */
  public static ConnectionStats stats(String route) {
    return STATS.computeIfAbsent(route, r -> new ConnectionStats());
  }

  /** One of the client's event loops, for a pool made outside {@link #pool} (tests). */
  EventLoop nextLoop() {
    return group.next();
  }

  private HttpPool newPool(PoolKey key, PoolTls tls) {
    EventLoop loop = group.next();
    ConnectionStats stats = stats(key.route());
    return key.transport().protocol() == HttpProtocol.HTTP2
        ? new Http2Pool(key, loop, tls, stats, Http2Pool.PING_AFTER)
        : new ConnectionPool(key, loop, tls, stats);
  }

  /**
   * One line per pool of the JVM's client, for finding out why a call does not end: its waiting
   * requests and each connection's calls; empty when no one uses the client. Each pool answers on
   * its event loop, within {@code bound}.
   */
  public static List<String> describe(Duration bound) {
    HttpTransport transport;
    synchronized (LOCK) {
      transport = shared;
    }
    if (transport == null) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    for (HttpPool pool : transport.pools.values()) {
      try {
        lines.add(
            pool.loop().submit(pool::describeOnLoop).get(bound.toMillis(), TimeUnit.MILLISECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
        lines.add("a pool did not answer: " + e);
      }
    }
    return lines;
  }

  /** Releases the client: the last user fails what is outstanding and ends the threads. */
  @Override
  public void close() {
    synchronized (LOCK) {
      if (--users > 0) {
        return;
      }
      if (shared == this) {
        shared = null;
      }
    }
    for (HttpPool pool : pools.values()) {
      pool.shutdownOnLoop();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
