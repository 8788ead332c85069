package io.keyflow.remote.http;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Keyflow's HTTP client for {@code http:} and {@code https:} alike, on Netty: a few event-loop
 * threads shared by every function client in the JVM, and one {@link ConnectionPool} per host, port
 * and transport settings. It is shared while any function client uses it ({@link #acquire}), and
 * its threads end with the last one ({@link #close}), so a job leaves no thread behind in a
 * TaskManager.
 */
public final class HttpTransport implements AutoCloseable {
  private static final Object LOCK = new Object();
  private static final Map<String, ConnectionStats> STATS = new ConcurrentHashMap<>();
  private static HttpTransport shared;

  private final EventLoopGroup group;
  private final Map<PoolKey, ConnectionPool> pools = new ConcurrentHashMap<>();
  private int users;

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
   * The pool for {@code key}, made on first use.
   *
   * @param tls what to trust and present over TLS; asked only for an {@code https} key
   */
  public ConnectionPool pool(PoolKey key, Supplier<ClientTls> tls) {
    ConnectionPool pool = pools.get(key);
    if (pool != null) {
      return pool;
    }
    return pools.computeIfAbsent(key, k -> newPool(k, tls));
  }

  /** Connections to {@code route} (such as {@code https://host:443}) in this JVM so far. */
  public static ConnectionStats stats(String route) {
    return STATS.computeIfAbsent(route, r -> new ConnectionStats());
  }

  private ConnectionPool newPool(PoolKey key, Supplier<ClientTls> tlsSupplier) {
    EventLoop loop = group.next();
    ConnectionStats stats = stats(key.route());
    if (!key.tls()) {
      return new ConnectionPool(key, loop, null, null, null, stats);
    }
    ClientTls tls = tlsSupplier.get();
    RecordingTrustManager trust = new RecordingTrustManager(extended(tls));
    try {
      SslContextBuilder builder =
          SslContextBuilder.forClient()
              .sslProvider(SslProvider.JDK)
              .trustManager(trust)
              .endpointIdentificationAlgorithm("HTTPS");
      if (tls.keys() != null) {
        builder.keyManager(tls.keys());
      }
      SslContext context = builder.build();
      return new ConnectionPool(key, loop, context, trust, tls, stats);
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot set up TLS for " + key.route() + ": " + e, e);
    }
  }

  private static X509ExtendedTrustManager extended(ClientTls tls) {
    for (TrustManager manager : tls.trust().getTrustManagers()) {
      if (manager instanceof X509ExtendedTrustManager extended) {
        return extended;
      }
    }
    throw new IllegalArgumentException("no X.509 trust manager in " + tls.trustSource());
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
    for (ConnectionPool pool : pools.values()) {
      pool.shutdownOnLoop();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
