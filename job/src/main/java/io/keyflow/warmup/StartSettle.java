package io.keyflow.warmup;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Waits for the TaskManager's own start to settle before the warm-up competes with it. While a
 * TaskManager starts its services and registers at the resource manager its JVM loads thousands of
 * classes; once it idles, next to none. A warm-up that ran alongside took CPU from that start, and
 * on a busy machine a first registration attempt timed out beside it. So the warm-up begins once a
 * whole window passes with only a few classes loaded, or after a bound at the latest (a TaskManager
 * that keeps loading, or that retries its registration all along, gets its warm-up anyway).
 */
final class StartSettle {
  /** How long the class count must stay nearly still. */
  static final Duration WINDOW = Duration.ofMillis(500);

  /** Classes a settled window may still load (a TaskManager loads a few while it idles). */
  static final long QUIET_CLASSES = 25;

  /** The longest wait. */
  static final Duration MAX_WAIT = Duration.ofSeconds(15);

  private StartSettle() {}

  /**
   * Waits until {@code loadedClasses} grows by at most {@code quietClasses} within one {@code
   * window}, or {@code maxWait} has passed.
   *
   * @return how long it waited
   */
  static Duration await(
      LongSupplier loadedClasses, Duration window, long quietClasses, Duration maxWait)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + maxWait.toNanos();
    long before = loadedClasses.getAsLong();
    while (System.nanoTime() - deadline < 0) {
      Thread.sleep(Math.max(1, window.toMillis()));
      long now = loadedClasses.getAsLong();
      if (now - before <= quietClasses) {
        break;
      }
      before = now;
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
