package io.keyflow.cli.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code keyflow status} says about the cluster itself: its TaskManagers and slots, and a
 * warning when none is registered. A TaskManager that stopped after a fatal error (Flink ends the
 * process) leaves the jobs restarting without slots until it is started again; without this line
 * they would only look stuck in RESTARTING.
 */
final class ClusterOverview {
  private ClusterOverview() {}

  /** The lines for Flink's {@code GET /overview} answer. */
  static String describe(JsonNode overview) {
    int taskManagers = overview.path("taskmanagers").asInt();
    if (taskManagers == 0) {
      return "cluster: no TaskManager is registered; jobs wait for slots until one is started"
          + " (a TaskManager that stopped after a fatal error says why in its log)";
    }
    return String.format(
        "cluster: %d TaskManager%s, %d slots, %d free",
        taskManagers,
        taskManagers == 1 ? "" : "s",
        overview.path("slots-total").asInt(),
        overview.path("slots-available").asInt());
  }

  /**
   * The job's restarts, from Flink's {@code numRestarts} metric, then the causes of its failures
   * before the latest ({@link #latestFailure} has that one), newest first, at most {@code max}
   * failures in all, from the {@code GET /jobs/:id/exceptions} answer. Without this a user needs
   * Flink's REST API to learn why a job restarted.
   */
  static List<String> restarts(long restarts, JsonNode exceptions, int max) {
    List<String> lines = new ArrayList<>();
    lines.add(String.format("restarts: %d", restarts));
    JsonNode entries = exceptions.path("exceptionHistory").path("entries");
    if (!entries.isArray()) {
      return lines;
    }
    String latest = latestFailure(exceptions);
    if (latest != null) {
      lines.add("  " + latest + where(entries.get(0)));
    }
    for (int i = 1; i < Math.min(max, entries.size()); i++) {
      JsonNode entry = entries.get(i);
      lines.add(
          String.format(
              "  earlier failure at %s: %s%s",
              Instant.ofEpochMilli(entry.path("timestamp").asLong()),
              firstLine(entry),
              where(entry)));
    }
    return lines;
  }

  private static String where(JsonNode entry) {
    String task = entry.path("taskName").asText("");
    return task.isEmpty() || task.equals("null") ? "" : " (in " + task + ")";
  }

  /** An exception history entry's first stack trace line, shortened. */
  private static String firstLine(JsonNode entry) {
    String first = entry.path("stacktrace").asText("").lines().findFirst().orElse("");
    if (first.isBlank()) {
      first = entry.path("exceptionName").asText("unknown");
    }
    return first.length() > 200 ? first.substring(0, 200) + "..." : first;
  }

  /**
   * The job's latest failure from Flink's {@code GET /jobs/:id/exceptions} answer, as one line, or
   * null when it never failed.
   */
  static String latestFailure(JsonNode exceptions) {
    JsonNode entries = exceptions.path("exceptionHistory").path("entries");
    if (!entries.isArray() || entries.isEmpty()) {
      return null;
    }
    JsonNode latest = entries.get(0);
    return String.format(
        "latest failure at %s: %s",
        Instant.ofEpochMilli(latest.path("timestamp").asLong()), firstLine(latest));
  }
}
