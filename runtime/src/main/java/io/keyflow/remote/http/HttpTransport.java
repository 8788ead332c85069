package io.keyflow.remote.http;

import io.keyflow.module.HttpProtocol;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
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
 * threads shared by every function client in the JVM, and one pool per host, port and transport
 * settings: a {@link ConnectionPool} of HTTP/1.1 connections, or an {@link Http2Pool} that
 * multiplexes calls on few HTTP/2 connections. It is shared while any function client uses it
 * ({@link #acquire}), and its threads end with the last one ({@link #close}), so a job leaves no
 * thread behind in a TaskManager.
 */
public final class HttpTransport implements AutoCloseable {
  private static final Object LOCK = new Object();
  private static final Map<String, ConnectionStats> STATS = new ConcurrentHashMap<>();
  private static HttpTransport shared;

  private final EventLoopGroup group;
  private final Map<PoolKey, HttpPool> pools = new ConcurrentHashMap<>();
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
  public HttpPool pool(PoolKey key, Supplier<ClientTls> tls) {
    HttpPool pool = pools.get(key);
    if (pool != null) {
      return pool;
    }
    return pools.computeIfAbsent(key, k -> newPool(k, tls));
  }

  /** Connections to {@code route} (such as {@code https://host:443}) in this JVM so far. */
  public static ConnectionStats stats(String route) {
    return STATS.computeIfAbsent(route, r -> new ConnectionStats());
  }

  /** One of the client's event loops, for a pool made outside {@link #pool} (tests). */
  EventLoop nextLoop() {
    return group.next();
  }

  private HttpPool newPool(PoolKey key, Supplier<ClientTls> tlsSupplier) {
    EventLoop loop = group.next();
    ConnectionStats stats = stats(key.route());
    boolean http2 = key.transport().protocol() == HttpProtocol.HTTP2;
    if (!key.tls()) {
      return http2
          ? new Http2Pool(key, loop, null, stats, Http2Pool.PING_AFTER)
          : new ConnectionPool(key, loop, null, stats);
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
      if (http2) {
        // RFC 9113 section 9.2: HTTP/2 over TLS 1.2 only with the cipher suites it allows.
        builder
            .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2));
      }
      // One context per pool: its session cache lets every later connection to this host and
      // port resume the session of an earlier one instead of a full handshake.
      PoolTls poolTls = new PoolTls(builder.build(), trust, tls);
      return http2
          ? new Http2Pool(key, loop, poolTls, stats, Http2Pool.PING_AFTER)
          : new ConnectionPool(key, loop, poolTls, stats);
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
    for (HttpPool pool : pools.values()) {
      pool.shutdownOnLoop();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
