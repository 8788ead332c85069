package io.keyflow.cli.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.FunctionMetrics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyflow status}: the cluster's TaskManagers and slots, then each job's state, checkpoints,
 * restarts with their latest causes, the per-function table, and records in and out per operator.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the cluster's TaskManagers and free slots (and says so when none is registered),"
          + " then each job on it: its state, its checkpoints (completed, failed, the latest one),"
          + " its restarts with the causes of its latest failures, per function type messages in"
          + " and out a second, call latency p50/p99, failed calls a second, backlog, dead"
          + " letters and endpoint health, and records in and out per operator chain."
    },
    footer = {"", "Example:", "  keyflow status --rest http://127.0.0.1:8081"})
public final class StatusCommand implements Callable<Integer> {
  /** Failure causes shown per job, newest first. */
  static final int FAILURES_SHOWN = 3;

  @Option(names = "--rest", required = true, paramLabel = "URL", description = "Flink's REST API.")
  URI rest;

  @Option(names = "--all", description = "Also show finished, cancelled and failed jobs.")
  boolean all;

  @Override
  public Integer call() throws Exception {
    FlinkRest client = new FlinkRest(rest);
    System.out.println(ClusterOverview.describe(client.get("/overview")));
    int shown = 0;
    for (JsonNode overview : client.get("/jobs/overview").path("jobs")) {
      String state = overview.path("state").asText();
      boolean ended =
          state.equals("FINISHED") || state.equals("CANCELED") || state.equals("FAILED");
      if (ended && !all) {
        continue;
      }
      shown++;
      String id = overview.path("jid").asText();
      System.out.printf(
          "job %s  %s  %s  running for %s%n",
          id,
          overview.path("name").asText(),
          state,
          Duration.ofMillis(overview.path("duration").asLong()).withNanos(0));
      JsonNode checkpoints = client.get("/jobs/" + id + "/checkpoints");
      JsonNode counts = checkpoints.path("counts");
      JsonNode latest = checkpoints.path("latest").path("completed");
      System.out.printf(
          "  checkpoints: %d completed, %d failed, %d in progress%s%n",
          counts.path("completed").asLong(),
          counts.path("failed").asLong(),
          counts.path("in_progress").asLong(),
          latest.isMissingNode() || latest.isNull()
              ? ""
              : String.format(
                  "; latest #%d at %s (%d ms, %,d bytes) in %s",
                  latest.path("id").asLong(),
                  Instant.ofEpochMilli(latest.path("latest_ack_timestamp").asLong()),
                  latest.path("end_to_end_duration").asLong(),
                  latest.path("state_size").asLong(),
                  latest.path("external_path").asText()));
      JsonNode restarts = client.get("/jobs/" + id + "/metrics?get=numRestarts");
      for (String line :
          ClusterOverview.restarts(
              restarts.path(0).path("value").asLong(),
              client.get("/jobs/" + id + "/exceptions?maxExceptions=" + FAILURES_SHOWN),
              FAILURES_SHOWN)) {
        System.out.println("  " + line);
      }
      if (!ended) {
        FunctionTable.lines(new FunctionMetrics(client).of(id)).forEach(System.out::println);
      }
      for (JsonNode vertex : client.get("/jobs/" + id).path("vertices")) {
        JsonNode metrics = vertex.path("metrics");
        System.out.printf(
            "  %-12s p=%d  in %,d  out %,d  %s%n",
            vertex.path("status").asText(),
            vertex.path("parallelism").asInt(),
            metrics.path("read-records").asLong(),
            metrics.path("write-records").asLong(),
            vertex.path("name").asText());
      }
    }
    if (shown == 0) {
      System.out.println("No " + (all ? "" : "running ") + "jobs at " + rest);
    }
    return 0;
  }
}
