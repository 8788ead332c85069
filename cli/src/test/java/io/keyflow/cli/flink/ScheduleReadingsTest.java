package io.keyflow.cli.flink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScheduleReadingsTest {

  @Test
  void aPerScheduleMetricIdGivesTheScheduleIdDotsIncludedAndTheMetric() {
    assertThat(
            ScheduleReadings.scheduleMetric("functions.schedule.nightly.v2.keyflowScheduleFires"))
        .containsExactly("nightly.v2", "keyflowScheduleFires");
    assertThat(ScheduleReadings.scheduleMetric("functions.schedule.tick.keyflowScheduleNextFire"))
        .containsExactly("tick", "keyflowScheduleNextFire");
  }

  @Test
  void otherMetricsAreNotScheduleMetrics() {
    assertThat(ScheduleReadings.scheduleMetric("functions.functions.shop.cart.inRate")).isNull();
    assertThat(ScheduleReadings.scheduleMetric("functions.keyflowDynamicScheduleFires")).isNull();
    assertThat(ScheduleReadings.scheduleMetric("functions.schedule.keyflowScheduleFires")).isNull();
  }
}
