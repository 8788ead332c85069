package io.keyflow.cli.state;

import java.io.PrintStream;
import java.time.Duration;

/** Counts what a long offline run has done and says so on stderr every few seconds. */
final class Progress {
  private static final long EVERY_NANOS = Duration.ofSeconds(5).toNanos();

  private final PrintStream err;
  private final String what;
  private final long started = System.nanoTime();
  private long lastShown = started;
  private long count;

  Progress(PrintStream err, String what) {
    this.err = err;
    this.what = what;
  }

  void add() {
    count++;
    long now = System.nanoTime();
    if (now - lastShown >= EVERY_NANOS) {
      lastShown = now;
      err.printf("... %,d %s so far (%s)%n", count, what, elapsed());
    }
  }

  long count() {
    return count;
  }

  String elapsed() {
    return String.format("%.1f s", (System.nanoTime() - started) / 1e9);
  }
}
