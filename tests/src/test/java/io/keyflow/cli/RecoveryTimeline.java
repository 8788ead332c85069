package io.keyflow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps of a recovery as a TaskManager's log shows them, each with its time after the kill:
 * tasks received, deployed and running, RocksDB's native library loaded, the Kafka egress's search
 * for lingering transactions. Read after the recovery, so the figures cost the recovery nothing.
 */
final class RecoveryTimeline {
  /** Log lines that mark a step, by a fixed part of their message. */
  private static final List<String> MARKERS =
      List.of(
          "Received task",
          "switched from DEPLOYING to INITIALIZING",
          "Loading JAR files for task",
          "Getting user code class loader for task",
          "Attempting to load RocksDB native library",
          "Successfully loaded RocksDB native library",
          "Aborting lingering transactions with prefixes",
          "open transactions for subtask",
          "switched from INITIALIZING to RUNNING");

  /** The layout's timestamp (keyflow-log4j2.properties: {@code %d{yyyy-MM-dd HH:mm:ss,SSS}}). */
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

  private static final int MAX_MESSAGE = 160;

  private RecoveryTimeline() {}

  /**
   * What a TaskManager had done before the kill: whether its JVM had run tasks (so it had loaded
   * their classes) and RocksDB's native library.
   *
   * @param tasks tasks it had received
   * @param rocksDbLoaded whether it had loaded RocksDB's native library
   */
  record Before(int tasks, boolean rocksDbLoaded) {}

  /** What the TaskManager writing {@code log} had done before {@code killedAtMillis}. */
  static Before before(Path log, long killedAtMillis) throws IOException {
    int tasks = 0;
    boolean rocksDb = false;
    if (Files.exists(log)) {
      for (String line : Files.readAllLines(log)) {
        long at = time(line);
        if (at < 0 || at >= killedAtMillis) {
          continue;
        }
        if (line.contains("Received task")) {
          tasks++;
        } else if (line.contains("Successfully loaded RocksDB native library")) {
          rocksDb = true;
        }
      }
    }
    return new Before(tasks, rocksDb);
  }

  /**
   * The marked lines of {@code log} written at or after {@code killedAtMillis} (wall clock), each
   * as {@code +<ms after the kill> <message>}.
   */
  static List<String> read(Path log, long killedAtMillis) throws IOException {
    List<String> steps = new ArrayList<>();
    if (!Files.exists(log)) {
      return steps;
    }
    for (String line : Files.readAllLines(log)) {
      if (MARKERS.stream().noneMatch(line::contains)) {
        continue;
      }
      long at = time(line);
      if (at >= killedAtMillis) {
        String message = line.substring(line.indexOf(" - ") + 3);
        if (message.length() > MAX_MESSAGE) {
          message = message.substring(0, MAX_MESSAGE) + "...";
        }
        steps.add("+" + (at - killedAtMillis) + " ms " + message);
      }
    }
    return steps;
  }

  /** The line's timestamp (wall clock, ms), or -1 for a line that starts with none. */
  private static long time(String line) {
    if (line.length() < 23) {
      return -1;
    }
    try {
      return LocalDateTime.parse(line.substring(0, 23), TIME)
          .atZone(ZoneId.systemDefault())
          .toInstant()
          .toEpochMilli();
    } catch (DateTimeParseException e) {
      return -1;
    }
  }
}
