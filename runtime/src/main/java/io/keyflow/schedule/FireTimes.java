package io.keyflow.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.keyflow.protocol.internal.ScheduleDefinition;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * The fire times of a schedule: those of a cron expression in a time zone, or every fixed interval,
 * within an optional window [start, end].
 *
 * <p>Cron expressions are Quartz's (seconds first, {@code ?} in day-of-month or day-of-week), read
 * and evaluated by cron-utils on {@code java.time}: a wall-clock time that a daylight-saving change
 * skips does not fire that day, and one that a change repeats fires once, at its first occurrence
 * (see docs/schedules.md). Intervals count from {@code start}, or from the Unix epoch without it,
 * so that {@code every: 1h} fires on the hour.
 */
final class FireTimes {
  private static final CronParser QUARTZ =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

  private final ExecutionTime cron;
  private final ZoneId zone;
  private final long everyMillis;
  private final long start;
  private final long end;

  private FireTimes(ExecutionTime cron, ZoneId zone, long everyMillis, long start, long end) {
    this.cron = cron;
    this.zone = zone;
    this.everyMillis = everyMillis;
    this.start = start;
    this.end = end;
  }

  /** The fire times of {@code definition}, which {@link ScheduleBinder} validated. */
  static FireTimes of(ScheduleDefinition definition) {
    long start = definition.getStartMillis();
    long end = definition.getEndMillis() == 0 ? Long.MAX_VALUE : definition.getEndMillis();
    if (definition.getCron().isEmpty()) {
      return new FireTimes(null, ZoneOffset.UTC, definition.getEveryMillis(), start, end);
    }
    ZoneId zone =
        definition.getTimeZone().isEmpty() ? ZoneOffset.UTC : ZoneId.of(definition.getTimeZone());
    return new FireTimes(cron(definition.getCron()), zone, 0, start, end);
  }

  /**
   * Parses and checks a Quartz cron expression.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static ExecutionTime cron(String expression) {
    return ExecutionTime.forCron(QUARTZ.parse(expression).validate());
  }

  /** The first fire time strictly after {@code afterMillis}, or -1 when there is none. */
  long next(long afterMillis) {
    long after = Math.max(afterMillis, start - 1);
    long next = cron == null ? nextInterval(after) : nextCron(after);
    return next < 0 || next > end ? -1 : next;
  }

  private long nextInterval(long after) {
    long anchor = start;
    if (after < anchor) {
      return anchor;
    }
    long steps = Math.floorDiv(after - anchor, everyMillis) + 1;
    try {
      return Math.addExact(anchor, Math.multiplyExact(steps, everyMillis));
    } catch (ArithmeticException beyondTime) {
      return -1;
    }
  }

  private long nextCron(long after) {
    // cron-utils works in whole seconds: from within a second, the next fire is after its start.
    ZonedDateTime from =
        ZonedDateTime.ofInstant(Instant.ofEpochMilli(Math.floorDiv(after, 1000) * 1000), zone);
    Optional<ZonedDateTime> next = cron.nextExecution(from);
    return next.map(t -> t.toInstant().toEpochMilli()).orElse(-1L);
  }
}
