package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module of functions and a schedule, without any ingress (a nightly report's shape): the job
 * starts, and its schedule fires exactly once per period and target across the loss of its
 * TaskManager. A real Kafka broker, the job on a MiniCluster with RocksDB, a StateFun Java SDK
 * function recording each fire through an exactly-once egress.
 */
@ExtendWith(KafkaBroker.class)
class SchedulesOnlyModuleIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final TypeName EGRESS = TypeName.typeNameOf("so", "out");
  private static ScheduledFunctions functions;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws Exception {
    functions =
        ScheduledFunctions.start(
            "so",
            topic ->
                TestFunctions.of(
                    ScheduleFunctions.recorder(
                        TypeName.typeNameOf("so", "report"), EGRESS, topic)));
  }

  @AfterAll
  static void stopFunctions() {
    functions.close();
  }

  @Test
  void aModuleWithSchedulesAndNoIngressFiresOncePerPeriodAndTargetAcrossATaskManagerLoss(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    String id = "nightly-" + UUID.randomUUID();
    List<String> targets = List.of("north", "south");
    String module =
        functions.module(
            """
            kind: io.keyflow.schedule.v1
            spec:
              id: %s
              targets: {type: so/report, ids: [north, south]}
              every: 1s
              catchUp: {policy: all, grace: 1s, max: 1000}
            """
                .formatted(id));
    Configuration conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300));
    // The job waits for a new TaskManager's slots: give it more attempts than the default test's.
    conf.setString("restart-strategy.fixed-delay.attempts", "100");
    conf.setString("restart-strategy.fixed-delay.delay", "500 ms");

    JobClient job = KeyflowTestJob.start(conf, module, List.of(), List.of());
    FlinkRest rest = new FlinkRest(URI.create(cluster.getRestAddress().get().toString()));
    String jobId = job.getJobID().toString();
    long[] seenAtFailure = {0};
    try {
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(1), () -> functions.fires(id).size() >= 3 * targets.size());
      seenAtFailure[0] = functions.fires(id).stream().mapToLong(Seen::fireTime).max().orElseThrow();
      // The failure under test: the only TaskManager goes away with every task of the job.
      cluster.terminateTaskManager(0).get(1, TimeUnit.MINUTES);
      cluster.startTaskManager();
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(1), () -> restarts(rest, jobId) >= 1);
      int afterFailure = functions.fires(id).size();
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(2),
          () -> functions.fires(id).size() >= afterFailure + 3 * targets.size());
    } finally {
      KeyflowTestJob.cancel(job);
    }

    // Per target: whole seconds from the same first fire on, none lost in between (the outage's
    // fires caught up under policy all), none twice. Two targets may live on two subtasks whose
    // egress commits at slightly different moments, so the cancel may cut each at another second.
    Map<String, List<Long>> byTarget = new TreeMap<>();
    for (Seen fire : functions.fires(id)) {
      byTarget.computeIfAbsent(fire.address(), t -> new ArrayList<>()).add(fire.fireTime());
    }
    assertThat(byTarget.keySet()).containsExactlyInAnyOrderElementsOf(targets);
    long first = byTarget.values().iterator().next().stream().min(Long::compare).orElseThrow();
    assertThat(first % 1000).isZero();
    byTarget.forEach(
        (target, times) -> {
          List<Long> sorted = times.stream().sorted().toList();
          assertThat(sorted).as(target).doesNotHaveDuplicates().startsWith(first);
          for (int i = 1; i < sorted.size(); i++) {
            assertThat(sorted.get(i) - sorted.get(i - 1))
                .as("%s: fire after %d", target, sorted.get(i - 1))
                .isEqualTo(1000);
          }
          // And on beyond the failure.
          assertThat(sorted.get(sorted.size() - 1)).as(target).isGreaterThan(seenAtFailure[0]);
        });
    assertThat(functions.fires(id)).allMatch(f -> f.missed() == 0);
  }

  /** How often the job restarted, from Flink's REST API. */
  private static long restarts(FlinkRest rest, String jobId) throws Exception {
    for (var metric : rest.get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
      return (long) Double.parseDouble(metric.path("value").asText("0"));
    }
    return 0;
  }
}
