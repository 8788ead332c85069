package io.keyflow.remote.http;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lean HTTP/1.1 client for plain {@code http:} POSTs: one selector thread writes requests, reads
 * responses and completes their futures, over persistent connections pooled per host and port. A
 * request takes an idle connection (the most recently used first) or opens a new one, so
 * connections grow to the calls' concurrency and no further, and idle ones close after the idle
 * timeout.
 *
 * <p>Futures complete on the client's thread: dependent stages must be short and must not block.
 *
 * <p>A request that meets a pooled connection the server has closed meanwhile (no byte of the
 * response read) is sent once more on a new connection. Keyflow's calls may be delivered twice
 * anyway; their effects are applied once.
 */
public final class Http1Client implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final RequestHead heads = new RequestHead();
  private final ClientLoop loop;
  private final Thread thread;

  /**
   * @param connectTimeout how long opening a connection may take
   * @param idleTimeout how long a connection may stay idle in the pool
   */
  public Http1Client(Duration connectTimeout, Duration idleTimeout) {
    this(connectTimeout, idleTimeout, 1);
  }

  /**
   * @param connectTimeout how long opening a connection may take
   * @param idleTimeout how long a connection may stay idle in the pool
   * @param maxPipelined requests one connection may carry at once: 1 sends the next request only
   *     after the response to the last; more pipelines them (fewer connections and system calls,
   *     but a slow response holds up the ones behind it)
   */
  public Http1Client(Duration connectTimeout, Duration idleTimeout, int maxPipelined) {
    if (maxPipelined < 1) {
      throw new IllegalArgumentException("maxPipelined must be at least 1, got " + maxPipelined);
    }
    this.loop = new ClientLoop(connectTimeout.toNanos(), idleTimeout.toNanos(), maxPipelined);
    this.thread = new Thread(loop, "keyflow-http-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * POSTs {@code body} to {@code url} (an {@code http:} URL) with {@code Content-Length} and the
   * given headers.
   *
   * @param timeout for the whole exchange, connecting included
   * @param maxBodyBytes a larger response fails with {@link ResponseTooLargeException}
   * @return the response; fails with an {@link java.io.IOException} (a {@link HttpTimeoutException}
   *     on timeout, {@link ConnectException} if the connection is refused)
   */
  public CompletableFuture<RawResponse> post(
      URI url, Map<String, String> headers, byte[] body, Duration timeout, long maxBodyBytes) {
    if (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException("not a plain http URL with a host: " + url);
    }
    int port = url.getPort() < 0 ? 80 : url.getPort();
    Exchange exchange =
        new Exchange(
            url.getHost(),
            port,
            heads.of(url, port, headers, body.length),
            body,
            System.nanoTime() + timeout.toNanos(),
            maxBodyBytes);
    loop.submit(exchange);
    return exchange.result;
  }

  /** Connections opened so far (a measure of reuse). */
  public long connectionsOpened() {
    return loop.connectionsOpened();
  }

  /** Fails outstanding requests, closes every connection and ends the client's thread. */
  @Override
  public void close() {
    loop.close();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
