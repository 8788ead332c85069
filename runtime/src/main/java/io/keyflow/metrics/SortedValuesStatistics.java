package io.keyflow.metrics;

import org.apache.flink.metrics.HistogramStatistics;

/** Statistics over a sorted snapshot of values; quantiles interpolate between neighbours. */
final class SortedValuesStatistics extends HistogramStatistics {
  private final long[] sorted;

  SortedValuesStatistics(long[] sorted) {
    this.sorted = sorted;
  }

  @Override
  public double getQuantile(double quantile) {
    if (quantile < 0 || quantile > 1 || Double.isNaN(quantile)) {
      throw new IllegalArgumentException("a quantile is within [0, 1], not " + quantile);
    }
    if (sorted.length == 0) {
      return 0;
    }
    double position = quantile * (sorted.length - 1);
    int below = (int) Math.floor(position);
    int above = Math.min(below + 1, sorted.length - 1);
    double fraction = position - below;
    return sorted[below] + fraction * (sorted[above] - sorted[below]);
  }

  @Override
  public long[] getValues() {
    return sorted.clone();
  }

  @Override
  public int size() {
    return sorted.length;
  }

  @Override
  public double getMean() {
    if (sorted.length == 0) {
      return 0;
    }
    double sum = 0;
    for (long value : sorted) {
      sum += value;
    }
    return sum / sorted.length;
  }

  @Override
  public double getStdDev() {
    if (sorted.length < 2) {
      return 0;
    }
    double mean = getMean();
    double squares = 0;
    for (long value : sorted) {
      squares += (value - mean) * (value - mean);
    }
    return Math.sqrt(squares / (sorted.length - 1));
  }

  @Override
  public long getMax() {
    return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
  }

  @Override
  public long getMin() {
    return sorted.length == 0 ? 0 : sorted[0];
  }
}
