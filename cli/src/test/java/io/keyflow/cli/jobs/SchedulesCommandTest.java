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

  @Test
  void dynamicSchedulesAreListedOneByOneSoonestFirstWithTheCheckpointTheyCameFromAndTheRest() {
    String line =
        "{\"function\":\"keyflow/schedules\",\"id\":\"renewal-alice\",\"values\":{},"
            + "\"inflight\":[],\"backlog\":[],\"delayed\":[],\"schedule\":{\"kind\":\"dynamic\","
            + "\"targetType\":\"shop/customer\",\"targetIds\":[\"alice\"],\"cron\":\"0 0 9 * * ?\","
            + "\"timeZone\":\"Europe/Berlin\",\"nextFire\":\"2026-12-04T08:00:00Z\","
            + "\"catchUp\":\"ONCE\",\"fires\":3,\"missed\":0,\"late\":0}}";
    DynamicScheduleListing.Schedule alice = DynamicScheduleListing.parse(line);
    DynamicScheduleListing.Listing listing =
        new DynamicScheduleListing.Listing(
            new DynamicScheduleListing.Source(
                "file:/cp/job/chk-812", 812, Instant.parse("2026-12-03T10:00:01Z").toEpochMilli()),
            1204,
            List.of(alice));

    List<String> lines =
        SchedulesCommand.ListCommand.lines(listing, Instant.parse("2026-12-03T10:00:03Z"));

    assertThat(lines.get(1))
        .isEqualTo(
            "1,204 dynamic schedules in checkpoint 812 (completed 2026-12-03T10:00:01Z, 2 s ago);"
                + " the 1 that fire first:");
    assertThat(lines.get(2)).contains("schedule", "target", "next fire", "timing");
    assertThat(lines.get(3))
        .startsWith("renewal-alice")
        .contains("shop/customer/alice", "2026-12-04T08:00:00Z", "cron 0 0 9 * * ? Europe/Berlin");
    assertThat(lines.get(4)).isEqualTo("... and 1,203 more (--limit N lists more).");
  }

  @Test
  void aStaticScheduleInTheDumpIsNotADynamicOne() {
    assertThat(
            DynamicScheduleListing.parse(
                "{\"function\":\"keyflow/schedules\",\"id\":\"nightly\","
                    + "\"schedule\":{\"kind\":\"static\",\"targetType\":\"shop/report\"}}"))
        .isNull();
  }
}
