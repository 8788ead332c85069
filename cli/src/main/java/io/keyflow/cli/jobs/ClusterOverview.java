package io.keyflow.cli.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

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
   * The job's latest failure from Flink's {@code GET /jobs/:id/exceptions} answer, as one line, or
   * null when it never failed.
   */
  static String latestFailure(JsonNode exceptions) {
    JsonNode entries = exceptions.path("exceptionHistory").path("entries");
    if (!entries.isArray() || entries.isEmpty()) {
      return null;
    }
    JsonNode latest = entries.get(0);
    String first = latest.path("stacktrace").asText("").lines().findFirst().orElse("");
    if (first.isBlank()) {
      first = latest.path("exceptionName").asText("unknown");
    }
    if (first.length() > 200) {
      first = first.substring(0, 200) + "...";
    }
    return String.format(
        "latest failure at %s: %s", Instant.ofEpochMilli(latest.path("timestamp").asLong()), first);
  }
}
