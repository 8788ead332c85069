package io.keyflow.remote.http;

import java.util.concurrent.CompletableFuture;

/** The future of one POST, which also tells when the request first went onto a connection. */
public final class ResponseFuture extends CompletableFuture<Response> {
  private volatile long startedNanos;

  /**
   * When the request first went onto a connection ({@link System#nanoTime()}), or 0 if it never
   * did. Time before that was spent waiting for a connection of the pool.
   */
  public long startedNanos() {
    return startedNanos;
  }

  void started(long nanos) {
    startedNanos = nanos;
  }
}
