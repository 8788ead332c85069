package io.keyflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.FlinkTaskManagers;
import java.io.IOException;
import java.time.Duration;

/**
 * Follows a job through the loss of one of its TaskManagers over the REST API and records when the
 * cluster dropped the TaskManager, when the job's tasks stopped all running (the failover began)
 * and when they all ran again. It reads {@code /jobs/overview} and {@code /taskmanagers}, which the
 * JobManager answers live; job details are cached for {@code web.refresh-interval}.
 */
final class TaskManagerLossWatch {
  private static final long POLL_MILLIS = 50;

  private final FlinkRest rest;
  private final String job;
  private final String taskManager;
  private final long killedAt;

  /** When each step happened, in nanoseconds ({@link System#nanoTime()}); 0 when not seen. */
  record Times(long killedAt, long unregisteredAt, long failoverSeenAt, long runningAt) {
    long millis(long at) {
      return at == 0 ? -1 : (at - killedAt) / 1_000_000;
    }
  }

  /**
   * @param taskManager the resource id of the TaskManager that was lost
   * @param killedAt when it was killed ({@link System#nanoTime()})
   */
  TaskManagerLossWatch(FlinkRest rest, String job, String taskManager, long killedAt) {
    this.rest = rest;
    this.job = job;
    this.taskManager = taskManager;
    this.killedAt = killedAt;
  }

  /**
   * Waits until the job's failover began and every task runs again.
   *
   * @throws AssertionError if that does not happen within {@code timeout}
   */
  Times awaitRecovery(Duration timeout) throws IOException, InterruptedException {
    FlinkTaskManagers registry = new FlinkTaskManagers(rest);
    long deadline = killedAt + timeout.toNanos();
    long unregisteredAt = 0;
    long failoverSeenAt = 0;
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      long now = System.nanoTime();
      if (unregisteredAt == 0
          && registry.registered().stream().noneMatch(tm -> tm.id().equals(taskManager))) {
        unregisteredAt = now;
      }
      JsonNode tasks = tasks();
      int running = tasks.path("running").asInt();
      int total = tasks.path("total").asInt();
      last = tasks.toString();
      if (failoverSeenAt == 0 && running < total) {
        failoverSeenAt = now;
      }
      if (failoverSeenAt != 0 && running == total) {
        return new Times(killedAt, unregisteredAt, failoverSeenAt, now);
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new AssertionError(
        "job "
            + job
            + (failoverSeenAt == 0 ? " never began a failover" : " did not run again")
            + " within "
            + timeout
            + " of the kill; its tasks: "
            + last);
  }

  private JsonNode tasks() throws IOException, InterruptedException {
    for (JsonNode details : rest.get("/jobs/overview").path("jobs")) {
      if (details.path("jid").asText().equals(job)) {
        return details.path("tasks");
      }
    }
    throw new AssertionError("job " + job + " is not in the cluster's job overview");
  }
}
