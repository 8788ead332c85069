package io.keyflow.module;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flink's duration syntax, as StateFun reads every {@code module.yaml} duration: a whole number,
 * optional whitespace and a unit; a bare number is milliseconds. Written here rather than taken
 * from Flink's {@code TimeUtils} so that the module model does not need Flink on the classpath and
 * so that a bad value gets our own error message.
 */
public final class Durations {

  public static final String EXPECTED = "a duration such as 30s, 500ms, 2 min";

  private static final Pattern SYNTAX = Pattern.compile("([0-9]+)\\s*([a-zµ]*)");
  private static final Map<String, ChronoUnit> UNITS = new HashMap<>();

  static {
    unit(ChronoUnit.NANOS, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
    unit(ChronoUnit.MICROS, "us", "µs", "micro", "micros", "microsecond", "microseconds");
    unit(ChronoUnit.MILLIS, "", "ms", "milli", "millis", "millisecond", "milliseconds");
    unit(ChronoUnit.SECONDS, "s", "sec", "secs", "second", "seconds");
    unit(ChronoUnit.MINUTES, "m", "min", "mins", "minute", "minutes");
    unit(ChronoUnit.HOURS, "h", "hour", "hours");
    unit(ChronoUnit.DAYS, "d", "day", "days");
  }

  private Durations() {}

  /** Returns the duration {@code text} denotes, or null when it is not a valid duration. */
  public static Duration parse(String text) {
    Matcher m = SYNTAX.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    ChronoUnit unit = UNITS.get(m.group(2));
    if (unit == null) {
      return null;
    }
    try {
      return Duration.of(Long.parseLong(m.group(1)), unit);
    } catch (ArithmeticException | NumberFormatException tooLarge) {
      return null;
    }
  }

  /** Formats {@code d} in the largest unit that expresses it exactly, e.g. {@code 90s}. */
  public static String format(Duration d) {
    long nanos;
    try {
      nanos = d.toNanos();
    } catch (ArithmeticException tooLong) {
      return d.toDays() + "d";
    }
    String[] labels = {"d", "h", "min", "s", "ms", "us"};
    long[] sizes = {
      86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L
    };
    if (nanos == 0) {
      return "0s";
    }
    for (int i = 0; i < labels.length; i++) {
      if (nanos % sizes[i] == 0) {
        return nanos / sizes[i] + labels[i];
      }
    }
    return nanos + "ns";
  }

  private static void unit(ChronoUnit unit, String... labels) {
    for (String label : labels) {
      UNITS.put(label, unit);
    }
  }
}
