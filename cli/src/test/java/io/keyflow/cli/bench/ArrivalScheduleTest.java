package io.keyflow.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {

  @Test
  void callsAreDueAtAFixedRateFromTheStart() {
    ArrivalSchedule schedule = new ArrivalSchedule(200, 1000);

    assertThat(schedule.dueNanos(0)).isZero();
    assertThat(schedule.dueNanos(1)).isEqualTo(5_000_000L);
    assertThat(schedule.dueNanos(200)).isEqualTo(1_000_000_000L);
    assertThat(schedule.spanNanos()).isEqualTo(999 * 5_000_000L);
  }

  @Test
  void aRateThatDoesNotDivideASecondDoesNotDriftOverALongSchedule() {
    ArrivalSchedule schedule = new ArrivalSchedule(3, 3_000_001);

    assertThat(schedule.dueNanos(3_000_000)).isEqualTo(1_000_000_000_000_000L);
    assertThat(schedule.dueNanos(1)).isEqualTo(333_333_333L);
  }

  @Test
  void aRateOfNoneOrLessIsRefusedNamingTheOption() {
    assertThatThrownBy(() -> new ArrivalSchedule(0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--gateway-rate");
    assertThatThrownBy(() -> new ArrivalSchedule(Double.NaN, 10))
        .hasMessageContaining("--gateway-rate");
    assertThatThrownBy(() -> new ArrivalSchedule(10, 0)).hasMessageContaining("--gateway-calls");
  }

  @Test
  void aCallOutsideTheScheduleHasNoDueTime() {
    ArrivalSchedule schedule = new ArrivalSchedule(10, 5);

    assertThatThrownBy(() -> schedule.dueNanos(5)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> schedule.dueNanos(-1)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
