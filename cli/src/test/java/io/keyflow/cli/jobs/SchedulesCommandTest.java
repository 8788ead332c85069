package io.keyflow.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.flink.ScheduleReadings;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulesCommandTest {

  @Test
  void listShowsEachStaticScheduleWithItsNextFireThenTheDynamicTotals() {
    long next = Instant.parse("2026-12-04T02:00:00Z").toEpochMilli();
    List<String> lines =
        SchedulesCommand.ListCommand.lines(
            new ScheduleReadings.Readings(
                List.of(
                    new ScheduleReadings.Schedule("low-stock", next, 12, 1, 2, 35),
                    new ScheduleReadings.Schedule("launch", -1, 1, 0, 0, 4)),
                new ScheduleReadings.DynamicTotals(40, 0, 3, 9, 1)));

    assertThat(lines.get(0)).contains("schedule", "next fire", "fires", "missed", "late");
    assertThat(lines.get(1)).contains("low-stock", "2026-12-04T02:00:00Z", "12", "35");
    assertThat(lines.get(2)).contains("launch", "ended");
    assertThat(lines.get(3))
        .isEqualTo(
            "Dynamic schedules since the job's tasks started: 40 fires, 0 missed, 3 late;"
                + " 9 commands, 1 skipped as invalid.");
  }
}
