package io.keyflow.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyflow.cli.flink.FlinkRest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a job's completed checkpoints from Flink's REST API ({@code /jobs/:id/checkpoints} and, per
 * checkpoint and vertex, {@code /jobs/:id/checkpoints/details/:cid/subtasks/:vid}) into a {@link
 * CheckpointBreakdown}. Flink keeps the statistics of the last {@code web.checkpoints.history}
 * checkpoints only; the bench raises that for its own cluster.
 */
final class CheckpointStats {
  /** At most this many checkpoints are read: each costs one REST call per vertex. */
  static final int MAX_CHECKPOINTS = 60;

  private CheckpointStats() {}

  /**
   * The breakdown of the checkpoints of {@code jobId} triggered between {@code fromMillis} and
   * {@code toMillis} (epoch), the latest {@link #MAX_CHECKPOINTS} of them; {@code repliedAtMillis}
   * as in {@link CheckpointBreakdown#of}.
   */
  static CheckpointBreakdown read(
      FlinkRest rest, String jobId, long fromMillis, long toMillis, long[] repliedAtMillis)
      throws IOException, InterruptedException {
    List<String> vertexIds = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (JsonNode vertex : rest.get("/jobs/" + jobId).path("vertices")) {
      vertexIds.add(vertex.path("id").asText());
      names.add(vertex.path("name").asText());
    }
    List<JsonNode> taken = new ArrayList<>();
    for (JsonNode c : rest.get("/jobs/" + jobId + "/checkpoints").path("history")) {
      long triggered = c.path("trigger_timestamp").asLong();
      if (c.path("status").asText().equals("COMPLETED")
          && !c.path("is_savepoint").asBoolean()
          && triggered >= fromMillis
          && triggered <= toMillis) {
        taken.add(c);
      }
    }
    taken.sort((a, b) -> Long.compare(a.path("id").asLong(), b.path("id").asLong()));
    if (taken.size() > MAX_CHECKPOINTS) {
      taken = taken.subList(taken.size() - MAX_CHECKPOINTS, taken.size());
    }
    List<CheckpointBreakdown.Checkpoint> checkpoints = new ArrayList<>();
    for (JsonNode c : taken) {
      long id = c.path("id").asLong();
      List<List<CheckpointBreakdown.SubtaskTimes>> vertices = new ArrayList<>();
      for (String vertex : vertexIds) {
        vertices.add(
            subtasks(
                rest.get("/jobs/" + jobId + "/checkpoints/details/" + id + "/subtasks/" + vertex)));
      }
      checkpoints.add(
          new CheckpointBreakdown.Checkpoint(
              id,
              c.path("trigger_timestamp").asLong(),
              c.path("latest_ack_timestamp").asLong(),
              vertices));
    }
    return CheckpointBreakdown.of(names, checkpoints, repliedAtMillis);
  }

  /** The acknowledged subtasks of one vertex's checkpoint details. */
  static List<CheckpointBreakdown.SubtaskTimes> subtasks(JsonNode details) {
    List<CheckpointBreakdown.SubtaskTimes> out = new ArrayList<>();
    for (JsonNode s : details.path("subtasks")) {
      if (!s.path("status").asText().equalsIgnoreCase("completed")) {
        continue;
      }
      out.add(
          new CheckpointBreakdown.SubtaskTimes(
              s.path("start_delay").asLong(),
              s.path("alignment").path("duration").asLong(),
              s.path("checkpoint").path("sync").asLong(),
              s.path("checkpoint").path("async").asLong(),
              s.path("end_to_end_duration").asLong()));
    }
    return out;
  }
}
