package io.keyflow.io.kafka;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code startupPosition.date}. StateFun documents {@code 2020-02-01 04:15:00.00 Z} but only
 * accepted {@code 2020-02-01 04:15:00.000 +0000}; Keyflow accepts both: 0 to 9 fraction digits, and
 * an offset written {@code Z}, {@code +0000}, {@code +00:00} or {@code +00}.
 */
final class KafkaDates {
  static final String EXPECTED =
      "a date such as 2024-03-01 08:00:00.000 +0000 or 2024-03-01 08:00:00 Z";

  private static final List<DateTimeFormatter> FORMATS =
      List.of("+HHMM", "+HH:MM", "+HH").stream().map(KafkaDates::format).toList();

  private KafkaDates() {}

  private static DateTimeFormatter format(String offsetPattern) {
    return new DateTimeFormatterBuilder()
        .appendPattern("yyyy-MM-dd HH:mm:ss")
        .optionalStart()
        .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
        .optionalEnd()
        .appendLiteral(' ')
        .appendOffset(offsetPattern, "Z")
        .toFormatter();
  }

  /** Milliseconds since the epoch, or empty if the text is no such date. */
  static Optional<Long> parse(String text) {
    for (DateTimeFormatter format : FORMATS) {
      try {
        return Optional.of(OffsetDateTime.parse(text.trim(), format).toInstant().toEpochMilli());
      } catch (DateTimeParseException e) {
        // Try the next offset notation.
      }
    }
    return Optional.empty();
  }
}
