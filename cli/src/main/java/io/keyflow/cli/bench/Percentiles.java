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
    return nanos[rankIndex(percent, nanos.length)] / 1e6;
  }

  /**
   * The index in {@code n} sorted values of the {@code percent} percentile by nearest rank: the
   * smallest value with at least that share of the values at or below it. Rounding noise is taken
   * off first, so that 99.9 % of 1,000 values is the 999th, not the 1,000th.
   */
  static int rankIndex(double percent, int n) {
    double rank = percent / 100.0 * n;
    int index = (int) Math.ceil(rank - 1e-9 * Math.max(1, rank)) - 1;
    return Math.max(0, Math.min(n - 1, index));
  }
}
