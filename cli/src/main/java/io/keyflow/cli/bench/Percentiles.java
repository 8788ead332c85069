package io.keyflow.cli.bench;

import java.util.Arrays;

/** Percentiles of measured latencies. */
final class Percentiles {
  private Percentiles() {}

  /**
   * The {@code percent} percentile (nearest rank) of latencies given in nanoseconds, in
   * milliseconds; 0 without any. Sorts {@code nanos} in place.
   */
  static double millis(long[] nanos, double percent) {
    if (nanos.length == 0) {
      return 0;
    }
    Arrays.sort(nanos);
    int index = (int) Math.ceil(percent / 100.0 * nanos.length) - 1;
    return nanos[Math.max(0, Math.min(nanos.length - 1, index))] / 1e6;
  }
}
