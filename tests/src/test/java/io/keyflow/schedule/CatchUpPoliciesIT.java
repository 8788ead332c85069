package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.ScheduleReadings;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each catch-up policy delivers after the job was stopped for a while: a real Kafka broker,
 * the job on a MiniCluster with RocksDB stopped with a savepoint and restored from it, and a
 * function on the StateFun Java SDK that records every fire it gets (with its lateness and the
 * fires counted as missed) through an exactly-once Kafka egress.
 */
@ExtendWith(KafkaBroker.class)
class CatchUpPoliciesIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      ScheduledFunctions.miniClusterFetchingMetricsEverySecond();

  private static final TypeName EGRESS = TypeName.typeNameOf("cu", "out");
  private static ScheduledFunctions functions;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws Exception {
    functions =
        ScheduledFunctions.start(
            "cu",
            topic ->
                TestFunctions.of(
                    ScheduleFunctions.recorder(
                        TypeName.typeNameOf("cu", "recorder"), EGRESS, topic)));
  }

  @AfterAll
  static void stopFunctions() {
    functions.close();
  }

  private Configuration conf(int parallelism) {
    return KeyflowTestJob.configuration(checkpoints, parallelism, Duration.ofMillis(300));
  }

  @Test
  void afterATenSecondStopEachCatchUpPolicyDeliversWhatItsDocumentationSays(
      @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    StringBuilder schedules = new StringBuilder();
    for (String policy : List.of("skip", "once", "all")) {
      if (!schedules.isEmpty()) {
        schedules.append("---\n");
      }
      schedules.append(
          """
          kind: io.keyflow.schedule.v1
          spec:
            id: %s-%s
            target: cu/recorder/%s
            every: 2s
            catchUp: {policy: %s, grace: 1s, max: 2}
          """
              .formatted(policy, run, policy, policy));
    }
    String module = functions.module(schedules.toString());
    List<String> ids = List.of("skip-" + run, "once-" + run, "all-" + run);

    FailurePlan.register("catch-up", FailurePlan.never());
    JobClient first =
        KeyflowTestJob.start(
            conf(2), module, List.of(ScheduledFunctions.ticker("catch-up")), List.of());
    String savepoint;
    try {
      KeyflowTestJob.awaitWhileRunning(
          first,
          Duration.ofMinutes(1),
          () -> ids.stream().allMatch(id -> functions.fires(id).size() >= 2));
      savepoint = ScheduledFunctions.stopWithSavepoint(first, checkpoints);
    } catch (Exception | AssertionError e) {
      KeyflowTestJob.cancel(first);
      throw e;
    }
    Map<String, Long> lastBeforeStop = new HashMap<>();
    for (String id : ids) {
      List<Seen> before = functions.fires(id);
      lastBeforeStop.put(id, before.get(before.size() - 1).fireTime());
    }
    // The outage under test: the job stays stopped for ten seconds.
    Thread.sleep(10_000);
    Configuration restored = conf(2);
    restored.setString("execution.state-recovery.path", savepoint);
    JobClient second =
        KeyflowTestJob.start(
            restored, module, List.of(ScheduledFunctions.ticker("catch-up")), List.of());
    ScheduleReadings readings =
        new ScheduleReadings(new FlinkRest(URI.create(cluster.getWebInterfaceURL())));
    Map<String, ScheduleReadings.Schedule> listed = new HashMap<>();
    try {
      KeyflowTestJob.awaitWhileRunning(
          second,
          Duration.ofMinutes(1),
          () ->
              ids.stream()
                  .allMatch(
                      id ->
                          functions.fires(id).stream()
                                  .filter(f -> f.fireTime() > lastBeforeStop.get(id))
                                  .count()
                              >= 4));
      // The schedules' own counts, from their state through the metrics.
      KeyflowTestJob.awaitWhileRunning(
          second,
          Duration.ofSeconds(30),
          () -> {
            readings.of(second.getJobID().toString()).schedules().stream()
                .filter(s -> ids.contains(s.id()))
                .forEach(s -> listed.put(s.id(), s));
            return listed.size() == 3 && listed.values().stream().allMatch(s -> s.fires() >= 6);
          });
    } finally {
      KeyflowTestJob.cancel(second);
    }

    for (String id : ids) {
      List<Seen> fires = functions.fires(id);
      List<Long> times = fires.stream().map(Seen::fireTime).toList();
      assertThat(times).as(id).doesNotHaveDuplicates().isSorted();
      // Every fire time after the stop is either delivered or counted as missed by the next fire.
      for (int i = 1; i < fires.size(); i++) {
        long skipped = (times.get(i) - times.get(i - 1)) / 2000 - 1;
        assertThat(fires.get(i).missed())
            .as("%s: missed before %d", id, times.get(i))
            .isEqualTo(skipped);
      }
    }
    List<Seen> skip = after(functions.fires(ids.get(0)), lastBeforeStop.get(ids.get(0)));
    List<Seen> once = after(functions.fires(ids.get(1)), lastBeforeStop.get(ids.get(1)));
    List<Seen> all = after(functions.fires(ids.get(2)), lastBeforeStop.get(ids.get(2)));
    // skip: the fires that came due while stopped are dropped, and no late fire is delivered.
    assertThat(skip.get(0).missed()).isGreaterThanOrEqualTo(4);
    assertThat(listed.get(ids.get(0)).late()).isZero();
    assertThat(listed.get(ids.get(0)).missed()).isGreaterThanOrEqualTo(4);
    // once: one late fire stands for all the dropped ones, then the schedule carries on.
    assertThat(once.get(0).missed()).isGreaterThanOrEqualTo(3);
    assertThat(once.get(0).lateness()).isGreaterThan(1000);
    assertThat(listed.get(ids.get(1)).late()).isGreaterThanOrEqualTo(1);
    // all, at most 2: the two most recent late fires, the older ones dropped.
    assertThat(all.get(0).missed()).isGreaterThanOrEqualTo(2);
    assertThat(all.subList(0, 2)).allMatch(f -> f.lateness() > 1000, "late");
    assertThat(all.get(1).fireTime() - all.get(0).fireTime()).isEqualTo(2000);
    assertThat(all.get(1).missed()).isZero();
    assertThat(listed.get(ids.get(2)).late()).isGreaterThanOrEqualTo(2);
  }

  private static List<Seen> after(List<Seen> fires, long fireTime) {
    return fires.stream().filter(f -> f.fireTime() > fireTime).toList();
  }
}
