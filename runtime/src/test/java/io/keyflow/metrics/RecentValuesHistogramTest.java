package io.keyflow.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.apache.flink.metrics.HistogramStatistics;
import org.junit.jupiter.api.Test;

class RecentValuesHistogramTest {

  @Test
  void anEmptyHistogramReportsZeroes() {
    HistogramStatistics stats = new RecentValuesHistogram(8).getStatistics();

    assertThat(stats.size()).isZero();
    assertThat(stats.getQuantile(0.99)).isZero();
    assertThat(stats.getMin()).isZero();
    assertThat(stats.getMax()).isZero();
    assertThat(stats.getMean()).isZero();
  }

  @Test
  void quantilesInterpolateBetweenTheRecordedValues() {
    RecentValuesHistogram histogram = new RecentValuesHistogram(128);
    for (int value = 100; value >= 1; value--) {
      histogram.update(value);
    }

    HistogramStatistics stats = histogram.getStatistics();
    assertThat(histogram.getCount()).isEqualTo(100);
    assertThat(stats.size()).isEqualTo(100);
    assertThat(stats.getMin()).isEqualTo(1);
    assertThat(stats.getMax()).isEqualTo(100);
    assertThat(stats.getMean()).isEqualTo(50.5);
    assertThat(stats.getQuantile(0.5)).isEqualTo(50.5);
    assertThat(stats.getQuantile(0.99)).isCloseTo(99.01, within(1e-9));
    assertThat(stats.getStdDev()).isCloseTo(29.011, within(0.001));
  }

  @Test
  void statisticsCoverOnlyTheMostRecentWindowWhileTheCountCoversAll() {
    RecentValuesHistogram histogram = new RecentValuesHistogram(4);
    for (int value = 1; value <= 10; value++) {
      histogram.update(value);
    }

    HistogramStatistics stats = histogram.getStatistics();
    assertThat(histogram.getCount()).isEqualTo(10);
    assertThat(stats.getValues()).containsExactly(7, 8, 9, 10);
    assertThat(stats.getMin()).isEqualTo(7);
  }

  @Test
  void theCapacityMustBeAPowerOfTwo() {
    assertThatThrownBy(() -> new RecentValuesHistogram(1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power of two");
  }
}
