package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.protocol.internal.ScheduleDefinition;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FireTimesTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  private static FireTimes cron(String expression, String zone) {
    return FireTimes.of(
        ScheduleDefinition.newBuilder().setCron(expression).setTimeZone(zone).build());
  }

  /** The fire times after {@code from}, as wall-clock times in Berlin with their offsets. */
  private static List<String> berlinFires(FireTimes times, String from, int count) {
    List<String> out = new ArrayList<>();
    long t = at(from);
    for (int i = 0; i < count; i++) {
      t = times.next(t);
      out.add(
          ZonedDateTime.ofInstant(Instant.ofEpochMilli(t), BERLIN).toOffsetDateTime().toString());
    }
    return out;
  }

  @Test
  void intervalsCountFromTheEpochWithoutStart() {
    FireTimes hourly =
        FireTimes.of(ScheduleDefinition.newBuilder().setEveryMillis(3_600_000).build());

    assertThat(hourly.next(at("2026-12-03T02:34:59.123Z"))).isEqualTo(at("2026-12-03T03:00:00Z"));
    assertThat(hourly.next(at("2026-12-03T03:00:00Z"))).isEqualTo(at("2026-12-03T04:00:00Z"));
  }

  @Test
  void intervalsCountFromStartAndStopAtEnd() {
    FireTimes times =
        FireTimes.of(
            ScheduleDefinition.newBuilder()
                .setEveryMillis(10_000)
                .setStartMillis(at("2026-01-01T00:00:03Z"))
                .setEndMillis(at("2026-01-01T00:00:23Z"))
                .build());

    assertThat(times.next(at("2025-06-01T00:00:00Z"))).isEqualTo(at("2026-01-01T00:00:03Z"));
    assertThat(times.next(at("2026-01-01T00:00:03Z"))).isEqualTo(at("2026-01-01T00:00:13Z"));
    assertThat(times.next(at("2026-01-01T00:00:13Z"))).isEqualTo(at("2026-01-01T00:00:23Z"));
    assertThat(times.next(at("2026-01-01T00:00:23Z"))).isEqualTo(-1);
  }

  @Test
  void cronFiresStrictlyAfterTheGivenTimeInWholeSeconds() {
    FireTimes everySecond = cron("* * * * * ?", "UTC");

    assertThat(everySecond.next(at("2026-01-01T00:00:00Z"))).isEqualTo(at("2026-01-01T00:00:01Z"));
    assertThat(everySecond.next(at("2026-01-01T00:00:00.999Z")))
        .isEqualTo(at("2026-01-01T00:00:01Z"));
    assertThat(everySecond.next(at("2026-01-01T00:00:00.999Z") - 1000))
        .isEqualTo(at("2026-01-01T00:00:00Z"));
  }

  @Test
  void aDailyTimeThatSpringForwardSkipsDoesNotFireThatDay() {
    // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day.
    assertThat(berlinFires(cron("0 30 2 * * ?", "Europe/Berlin"), "2026-03-27T12:00:00Z", 4))
        .containsExactly(
            "2026-03-28T02:30+01:00",
            "2026-03-30T02:30+02:00",
            "2026-03-31T02:30+02:00",
            "2026-04-01T02:30+02:00");
  }

  @Test
  void aDailyTimeThatFallBackRepeatsFiresOnceAtItsFirstOccurrence() {
    // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice that day.
    assertThat(berlinFires(cron("0 30 2 * * ?", "Europe/Berlin"), "2026-10-23T12:00:00Z", 4))
        .containsExactly(
            "2026-10-24T02:30+02:00",
            "2026-10-25T02:30+02:00",
            "2026-10-26T02:30+01:00",
            "2026-10-27T02:30+01:00");
  }

  @Test
  void anHourlyScheduleFiresEveryRealHourAcrossBothChanges() {
    FireTimes hourly = cron("0 0 * * * ?", "Europe/Berlin");

    assertThat(berlinFires(hourly, "2026-03-28T23:30:00Z", 3))
        .containsExactly(
            "2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00", "2026-03-29T04:00+02:00");
    assertThat(berlinFires(hourly, "2026-10-24T23:30:00Z", 3))
        .containsExactly(
            "2026-10-25T02:00+02:00", "2026-10-25T02:00+01:00", "2026-10-25T03:00+01:00");
  }
}
