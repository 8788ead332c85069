package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.ScheduleReadings;
import io.keyflow.cli.jobs.SchedulesCommand;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
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
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Static schedules of the module end to end: a real Kafka broker, the job on a MiniCluster with
 * RocksDB, and functions on the StateFun Java SDK that record every fire they get through an
 * exactly-once Kafka egress; a read_committed consumer checks what was committed, per fire time,
 * and {@code keyflow schedules list} what the job reports.
 */
@ExtendWith(KafkaBroker.class)
class StaticSchedulesIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      ScheduledFunctions.miniClusterFetchingMetricsEverySecond();

  private static final TypeName EGRESS = TypeName.typeNameOf("sc", "out");
  private static ScheduledFunctions functions;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws Exception {
    functions =
        ScheduledFunctions.start(
            "sc",
            topic ->
                TestFunctions.of(
                    ScheduleFunctions.recorder(
                        TypeName.typeNameOf("sc", "recorder"), EGRESS, topic),
                    ScheduleFunctions.reminder(
                        TypeName.typeNameOf("sc", "reminder"), EGRESS, topic, "2s")));
  }

  @AfterAll
  static void stopFunctions() {
    functions.close();
  }

  private Configuration conf(int parallelism) {
    return KeyflowTestJob.configuration(checkpoints, parallelism, Duration.ofMillis(300));
  }

  @Test
  void aOneSecondScheduleFiresOncePerSecondAndTargetAcrossAFailureAndARescale() throws Exception {
    String id = "tick-" + UUID.randomUUID();
    List<String> targets = List.of("a", "b", "c", "d");
    String module =
        functions.module(
            """
            kind: io.keyflow.schedule.v1
            spec:
              id: %s
              targets: {type: sc/recorder, ids: [a, b, c, d]}
              every: 1s
              catchUp: {policy: all, grace: 1s, max: 1000}
            """
                .formatted(id));
    AtomicBoolean failNow = new AtomicBoolean();
    FailurePlan plan = FailurePlan.register("schedule-once", FailurePlan.onceWhen(failNow));

    JobClient first =
        KeyflowTestJob.start(
            conf(2), module, List.of(ScheduledFunctions.ticker("schedule-once")), List.of());
    String savepoint;
    try {
      KeyflowTestJob.awaitWhileRunning(
          first, Duration.ofMinutes(1), () -> functions.fires(id).size() >= 3 * targets.size());
      failNow.set(true);
      KeyflowTestJob.awaitWhileRunning(first, Duration.ofMinutes(1), () -> plan.failures() == 1);
      int afterFailure = functions.fires(id).size();
      KeyflowTestJob.awaitWhileRunning(
          first,
          Duration.ofMinutes(1),
          () -> functions.fires(id).size() >= afterFailure + 3 * targets.size());
      savepoint = ScheduledFunctions.stopWithSavepoint(first, checkpoints);
    } catch (Exception | AssertionError e) {
      KeyflowTestJob.cancel(first);
      throw e;
    }
    int beforeRescale = functions.fires(id).size();
    Configuration rescaled = conf(1);
    rescaled.setString("execution.state-recovery.path", savepoint);
    JobClient second =
        KeyflowTestJob.start(
            rescaled, module, List.of(ScheduledFunctions.ticker("schedule-once")), List.of());
    try {
      KeyflowTestJob.awaitWhileRunning(
          second,
          Duration.ofMinutes(1),
          () -> functions.fires(id).size() >= beforeRescale + 3 * targets.size());
    } finally {
      KeyflowTestJob.cancel(second);
    }

    List<Seen> fires = functions.fires(id);
    Map<Long, List<String>> byFireTime = new TreeMap<>();
    for (Seen fire : fires) {
      byFireTime.computeIfAbsent(fire.fireTime(), t -> new ArrayList<>()).add(fire.address());
    }
    List<Long> times = new ArrayList<>(byFireTime.keySet());
    // Whole seconds, none lost in between, and each fire at each target exactly once; the last
    // second may have reached only some targets before the cancel.
    assertThat(times.get(0) % 1000).isZero();
    for (int i = 1; i < times.size(); i++) {
      assertThat(times.get(i) - times.get(i - 1))
          .as("fire after %d", times.get(i - 1))
          .isEqualTo(1000);
    }
    byFireTime.forEach(
        (time, addresses) -> assertThat(addresses).as("fire %d", time).doesNotHaveDuplicates());
    byFireTime.entrySet().stream()
        .limit(times.size() - 1)
        .forEach(
            e -> assertThat(e.getValue()).as("fire %d", e.getKey()).hasSameElementsAs(targets));
    assertThat(plan.failures()).isEqualTo(1);
    assertThat(fires).allMatch(f -> f.missed() == 0);
  }

  @Test
  void keyflowSchedulesListShowsAStaticScheduleWithItsNextFireAndTheDynamicTotals(
      @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    FailurePlan.register("listed", FailurePlan.never());
    String run = UUID.randomUUID().toString().substring(0, 8);
    String id = "listed-" + run;
    String user = "u-" + run;
    GeneratedIngress start =
        GeneratedIngress.of(1, i -> TestFunctions.message("sc", "reminder", user, "start"))
            .lingering()
            .failing("listed");
    String module =
        functions.module(
            """
            kind: io.keyflow.schedule.v1
            spec: {id: %s, target: sc/recorder/r, every: 1s}
            """
                .formatted(id));
    JobClient job = KeyflowTestJob.start(conf(2), module, List.of(start), List.of());
    ScheduleReadings readings =
        new ScheduleReadings(new FlinkRest(URI.create(cluster.getWebInterfaceURL())));
    String jobId = job.getJobID().toString();
    ScheduleReadings.Readings shown;
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(1),
          () -> {
            ScheduleReadings.Readings now = readings.of(jobId);
            return now.schedules().stream().anyMatch(s -> s.id().equals(id) && s.fires() >= 3)
                && now.dynamic().fires() >= 1;
          });
      shown = readings.of(jobId);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    ScheduleReadings.Schedule listed =
        shown.schedules().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    long lastFire = functions.fires(id).stream().mapToLong(Seen::fireTime).max().orElseThrow();
    assertThat(listed.nextFireMillis() % 1000).isZero();
    // Metrics are fetched every second and output commits every 300 ms: close, not equal.
    assertThat(listed.nextFireMillis()).isBetween(lastFire - 3000, lastFire + 3000);
    assertThat(listed.missed()).isZero();
    assertThat(shown.dynamic().commands()).isGreaterThanOrEqualTo(1);
    assertThat(SchedulesCommand.ListCommand.lines(shown))
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith(id)
                    .contains(java.time.Instant.ofEpochMilli(listed.nextFireMillis()).toString()))
        .anySatisfy(line -> assertThat(line).startsWith("Dynamic schedules"));
  }
}
