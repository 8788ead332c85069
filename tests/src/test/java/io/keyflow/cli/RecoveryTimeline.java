package io.keyflow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps of a recovery as a TaskManager's log shows them, each with its time after the kill:
 * tasks received, deployed and running, RocksDB's native library loaded, the Kafka egress's search
 * for lingering transactions; and from the JobManager's log, the first checkpoint completed after
 * the restore. Read after the recovery, so the figures cost the recovery nothing.
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

  /** The JobManager's lines for a checkpoint triggered and completed (CheckpointCoordinator). */
  private static final Pattern TRIGGERED = Pattern.compile("Triggering checkpoint (\\d+) \\(type=");

  private static final Pattern COMPLETED =
      Pattern.compile("Completed checkpoint (\\d+) for job .*checkpointDuration=(\\d+) ms");

  private RecoveryTimeline() {}

  /**
   * What a TaskManager had done before the kill: whether its JVM had run tasks (so it had loaded
   * their classes) and RocksDB's native library.
   *
   * @param tasks tasks it had received
   * @param rocksDbLoaded whether it had loaded RocksDB's native library
   * @param warmUp the warm-up's report when its agent had warmed the JVM up, empty otherwise
   */
  record Before(int tasks, boolean rocksDbLoaded, String warmUp) {}

  /** The fixed part of the warm-up agent's INFO line (io.keyflow.warmup.WarmUpAgent). */
  private static final String WARMED_UP = "Warmed this TaskManager up for Keyflow's tasks ";

  /** What the TaskManager writing {@code log} had done before {@code killedAtMillis}. */
  static Before before(Path log, long killedAtMillis) throws IOException {
    int tasks = 0;
    boolean rocksDb = false;
    String warmUp = "";
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
        } else if (line.contains(WARMED_UP)) {
          warmUp = line.substring(line.indexOf(WARMED_UP) + WARMED_UP.length());
        }
      }
    }
    return new Before(tasks, rocksDb, warmUp);
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

  /**
   * The first checkpoint that completed after the job's state was restored following the kill, as
   * the JobManager's log shows it: when the restore began, when that checkpoint was triggered and
   * completed (ms after the kill), its duration, and how many checkpoints had been triggered since
   * the restore up to it. New exactly-once output is committed by that checkpoint, so this is the
   * part of the time to new output that the restored job's catch-up spends on it.
   */
  static String firstCheckpointAfterRestore(Path jobManagerLog, long killedAtMillis)
      throws IOException {
    if (!Files.exists(jobManagerLog)) {
      return "no JobManager log at " + jobManagerLog;
    }
    long restoredAt = -1;
    Map<Long, Long> triggeredAt = new HashMap<>();
    int triggered = 0;
    for (String line : Files.readAllLines(jobManagerLog)) {
      long at = time(line);
      if (at < killedAtMillis) {
        continue;
      }
      if (line.contains("Restoring job ")) {
        // A restart that failed restores again: count from the last restore.
        restoredAt = at;
        triggeredAt.clear();
        triggered = 0;
        continue;
      }
      if (restoredAt < 0) {
        continue;
      }
      Matcher trigger = TRIGGERED.matcher(line);
      if (trigger.find()) {
        triggeredAt.put(Long.parseLong(trigger.group(1)), at);
        triggered++;
        continue;
      }
      Matcher completed = COMPLETED.matcher(line);
      if (completed.find()) {
        Long triggeredAtMillis = triggeredAt.get(Long.parseLong(completed.group(1)));
        if (triggeredAtMillis != null) {
          return ("restore began +%d ms; first checkpoint completed after it: %s, triggered +%d"
                  + " ms (%d triggered since the restore, this one included), completed +%d ms,"
                  + " checkpointDuration %s ms")
              .formatted(
                  restoredAt - killedAtMillis,
                  completed.group(1),
                  triggeredAtMillis - killedAtMillis,
                  triggered,
                  at - killedAtMillis,
                  completed.group(2));
        }
      }
    }
    return restoredAt < 0
        ? "no restore after the kill in the JobManager's log"
        : "restore began +"
            + (restoredAt - killedAtMillis)
            + " ms; no checkpoint completed after it";
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
