package io.keyflow.remote;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * Bounds how many calls run at once without blocking the caller: a call beyond the limit waits in a
 * queue and starts when a running one completes. Calls include their retries, so a call holds its
 * slot until its result is known.
 */
final class ConcurrencyLimit {
  private final Semaphore permits;
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  ConcurrencyLimit(int limit) {
    this.permits = new Semaphore(Math.max(1, limit));
  }

  /**
   * Starts {@code call} now or once a slot frees; the slot is freed when {@code done} completes.
   */
  void run(Runnable call, CompletableFuture<?> done) {
    done.whenComplete((r, e) -> release());
    if (permits.tryAcquire()) {
      call.run();
    } else {
      waiting.add(call);
      drain();
    }
  }

  private void release() {
    permits.release();
    drain();
  }

  private void drain() {
    while (!waiting.isEmpty() && permits.tryAcquire()) {
      Runnable next = waiting.poll();
      if (next == null) {
        permits.release();
        return;
      }
      next.run();
    }
  }
}
