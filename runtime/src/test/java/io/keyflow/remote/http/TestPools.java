package io.keyflow.remote.http;

import io.keyflow.module.Transport;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Pools of the shared HTTP client for tests, with the transport settings a test needs. */
final class TestPools implements AutoCloseable {
  static final Duration CALL = Duration.ofSeconds(10);

  private final HttpTransport transport = HttpTransport.acquire();
  private final List<HttpPool> own = new ArrayList<>();
  private boolean closed;

  static Transport settings(int poolSize, int pipelining, Duration poolTtl) {
    Transport t = Transport.defaults();
    return new Transport(
        t.type(),
        t.call(),
        Duration.ofSeconds(5),
        null,
        null,
        poolTtl,
        poolSize,
        t.payloadMaxBytes(),
        null,
        null,
        null,
        null,
        pipelining);
  }

  ConnectionPool pool(URI url, Transport settings) {
    return (ConnectionPool) transport.pool(PoolKey.of(url, settings), () -> null);
  }

  /** An HTTP/2 pool (h2c) for {@code url}. */
  Http2Pool http2Pool(URI url, Transport settings) {
    return (Http2Pool) transport.pool(PoolKey.of(url, settings), () -> null);
  }

  /**
   * An HTTP/2 pool (h2c) for {@code url} that checks a connection with a PING after {@code
   * pingAfter} of silence; it is the caller's to shut down.
   */
  Http2Pool http2Pool(URI url, Transport settings, Duration pingAfter) {
    PoolKey key = PoolKey.of(url, settings);
    return new Http2Pool(key, transport.nextLoop(), null, new ConnectionStats(), pingAfter);
  }

  /**
   * An HTTP/1.1 pool for {@code url} of its own, whose new connections' channels {@code watch} sees
   * before their handlers are added; shut down with the others.
   */
  ConnectionPool watchedPool(URI url, Transport settings, Consumer<Channel> watch) {
    ConnectionPool pool =
        new ConnectionPool(
            PoolKey.of(url, settings), transport.nextLoop(), null, new ConnectionStats(), watch);
    own.add(pool);
    return pool;
  }

  ConnectionPool pool(URI url) {
    return pool(url, settings(64, 1, Duration.ofSeconds(30)));
  }

  static ConnectionStats stats(URI url) {
    return HttpTransport.stats(PoolKey.of(url, Transport.defaults()).route());
  }

  static HttpHeaders headers(URI url) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set("Host", url.getHost() + ":" + url.getPort());
    headers.set("Content-Type", "application/octet-stream");
    return headers;
  }

  /** POSTs {@code body} to {@code url} and waits for the response. */
  static Response post(HttpPool pool, URI url, byte[] body) throws Exception {
    return send(pool, url, body, CALL, 1 << 20).get(20, TimeUnit.SECONDS);
  }

  static ResponseFuture send(
      HttpPool pool, URI url, byte[] body, Duration timeout, long maxBodyBytes) {
    String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    return pool.post(target, headers(url), body, timeout, maxBodyBytes);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      own.forEach(HttpPool::shutdownOnLoop);
      transport.close();
    }
  }
}
