package io.keyflow.cli.bench;

import java.util.Arrays;

/**
 * The latencies of the calls that got a correct reply, summed up as percentiles (nearest rank).
 *
 * @param answered calls with a correct reply
 * @param p50Millis median latency
 * @param p99Millis 99th percentile
 * @param p999Millis 99.9th percentile (with fewer than 1,000 calls: the slowest)
 * @param maxMillis the slowest
 */
record LatencyReport(
    long answered, double p50Millis, double p99Millis, double p999Millis, double maxMillis) {

  /**
   * The report of {@code count} latencies in nanoseconds, the first {@code count} of {@code nanos}.
   */
  static LatencyReport of(long[] nanos, int count) {
    long[] taken = Arrays.copyOf(nanos, count);
    return new LatencyReport(
        count,
        Percentiles.millis(taken, 50),
        Percentiles.millis(taken, 99),
        Percentiles.millis(taken, 99.9),
        Percentiles.millis(taken, 100));
  }
}
