package io.keyflow.remote.http;

import io.netty.channel.EventLoop;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/** Hands work for a pool, which lives on one event loop, over to that loop from any thread. */
final class PoolLoop {
  private PoolLoop() {}

  /**
   * Runs {@code submit} with {@code exchange} on {@code loop}: at once when called there, else as a
   * task; fails the exchange when the loop has ended.
   *
   * @return the exchange's future
   */
  static ResponseFuture submit(EventLoop loop, Exchange exchange, Consumer<Exchange> submit) {
    if (loop.inEventLoop()) {
      submit.accept(exchange);
    } else {
      try {
        loop.execute(() -> submit.accept(exchange));
      } catch (RejectedExecutionException e) {
        exchange.result.completeExceptionally(new IOException("the HTTP client is closed", e));
      }
    }
    return exchange.result;
  }

  /** Runs {@code shutdown} on {@code loop}, unless the loop has ended (its channels with it). */
  static void shutdown(EventLoop loop, Runnable shutdown) {
    try {
      loop.execute(shutdown);
    } catch (RejectedExecutionException e) {
      // The loop has ended: its connections are closed already.
    }
  }
}
