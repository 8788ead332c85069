package io.keyflow.cli;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a duration as Flink's configuration does: {@code 1s}, {@code 1000ms}, {@code 2 min}. */
public final class FlinkDuration implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return TimeUtils.parseDuration(value);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration; use a number and a unit such as 1s, 1000ms or 2 min");
    }
  }
}
