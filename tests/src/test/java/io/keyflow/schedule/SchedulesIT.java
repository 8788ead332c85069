package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.ScheduleReadings;
import io.keyflow.cli.jobs.SchedulesCommand;
import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.NodeFunctionServer;
import io.keyflow.testing.TestFunctions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
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
 * Schedules end to end: a real Kafka broker, the job on a MiniCluster with RocksDB, and functions
 * on the StateFun Java SDK that record every fire they get through an exactly-once Kafka egress; a
 * read_committed consumer checks what was committed, per fire time.
 */
@ExtendWith(KafkaBroker.class)
class SchedulesIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .setConfiguration(metricsFetchedEverySecond())
              .build());

  /** keyflow schedules list reads metrics over REST: fetch them often, not every 10 s. */
  private static Configuration metricsFetchedEverySecond() {
    Configuration conf = new Configuration();
    conf.setString("metrics.fetcher.update-interval", "1 s");
    return conf;
  }

  private static final TypeName EGRESS = TypeName.typeNameOf("sc", "out");
  private static final String TOPIC = "schedule-fires-" + UUID.randomUUID();
  private static FunctionServer server;
  private static CommittedTopicReader output;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws Exception {
    KafkaBroker.createTopic(TOPIC, 2);
    output = new CommittedTopicReader(TOPIC);
    server =
        FunctionServer.start(
            TestFunctions.of(
                ScheduleFunctions.recorder(TypeName.typeNameOf("sc", "recorder"), EGRESS, TOPIC),
                ScheduleFunctions.reminder(
                    TypeName.typeNameOf("sc", "reminder"), EGRESS, TOPIC, "2s")),
            "127.0.0.1",
            0);
  }

  @AfterAll
  static void stopFunctions() {
    output.close();
    server.close();
  }

  /** One committed record of a function: a fire it received (or its deletion of a schedule). */
  record Seen(
      String what, String address, long fireTime, long missed, long receivedAt, String schedule) {
    static Seen parse(String value) {
      String[] f = value.split(" ");
      return new Seen(
          f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), f[5]);
    }

    long lateness() {
      return receivedAt - fireTime;
    }
  }

  private static List<Seen> seen(String schedule) {
    List<Seen> out = new ArrayList<>();
    for (String value : output.values("fire ", "deleted ")) {
      Seen s = Seen.parse(value);
      if (s.schedule().equals(schedule)) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<Seen> fires(String schedule) {
    return seen(schedule).stream().filter(s -> s.what().equals("fire")).toList();
  }

  private String module(String schedules) {
    return module("sc", server.baseUrl(), schedules);
  }

  private static String module(String namespace, String functionsUrl, String schedules) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: %s/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: %s/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
        ---
        %s
        """
        .formatted(namespace, functionsUrl, namespace, KafkaBroker.bootstrapServers(), schedules);
  }

  private Configuration conf(int parallelism) {
    return KeyflowTestJob.configuration(checkpoints, parallelism, Duration.ofMillis(300));
  }

  /** A ticker that keeps the job running and fails it when the plan says so. */
  private static GeneratedIngress ticker(String plan) {
    return GeneratedIngress.of(0, i -> null).lingering().failing(plan);
  }

  private String stopWithSavepoint(JobClient job) throws Exception {
    String savepoint =
        job.stopWithSavepoint(
                false,
                checkpoints.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
    return savepoint;
  }

  @Test
  void aOneSecondScheduleFiresOncePerSecondAndTargetAcrossAFailureAndARescale() throws Exception {
    String id = "tick-" + UUID.randomUUID();
    List<String> targets = List.of("a", "b", "c", "d");
    String module =
        module(
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
    FailurePlan plan =
        FailurePlan.register(
            "schedule-once",
            new FailurePlan() {
              @Override
              protected boolean shouldFail(long records, int checkpoints) {
                return failNow.get() && failures() == 0;
              }
            });

    JobClient first =
        KeyflowTestJob.start(conf(2), module, List.of(ticker("schedule-once")), List.of());
    String savepoint;
    try {
      KeyflowTestJob.awaitWhileRunning(
          first, Duration.ofMinutes(1), () -> fires(id).size() >= 3 * targets.size());
      failNow.set(true);
      KeyflowTestJob.awaitWhileRunning(first, Duration.ofMinutes(1), () -> plan.failures() == 1);
      int afterFailure = fires(id).size();
      KeyflowTestJob.awaitWhileRunning(
          first,
          Duration.ofMinutes(1),
          () -> fires(id).size() >= afterFailure + 3 * targets.size());
      savepoint = stopWithSavepoint(first);
    } catch (Exception | AssertionError e) {
      KeyflowTestJob.cancel(first);
      throw e;
    }
    int beforeRescale = fires(id).size();
    Configuration rescaled = conf(1);
    rescaled.setString("execution.state-recovery.path", savepoint);
    JobClient second =
        KeyflowTestJob.start(rescaled, module, List.of(ticker("schedule-once")), List.of());
    try {
      KeyflowTestJob.awaitWhileRunning(
          second,
          Duration.ofMinutes(1),
          () -> fires(id).size() >= beforeRescale + 3 * targets.size());
    } finally {
      KeyflowTestJob.cancel(second);
    }

    List<Seen> fires = fires(id);
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
            target: sc/recorder/%s
            every: 2s
            catchUp: {policy: %s, grace: 1s, max: 2}
          """
              .formatted(policy, run, policy, policy));
    }
    String module = module(schedules.toString());
    List<String> ids = List.of("skip-" + run, "once-" + run, "all-" + run);

    FailurePlan.register("catch-up", FailurePlan.never());
    JobClient first = KeyflowTestJob.start(conf(2), module, List.of(ticker("catch-up")), List.of());
    String savepoint;
    try {
      KeyflowTestJob.awaitWhileRunning(
          first, Duration.ofMinutes(1), () -> ids.stream().allMatch(id -> fires(id).size() >= 2));
      savepoint = stopWithSavepoint(first);
    } catch (Exception | AssertionError e) {
      KeyflowTestJob.cancel(first);
      throw e;
    }
    Map<String, Long> lastBeforeStop = new HashMap<>();
    for (String id : ids) {
      List<Seen> before = fires(id);
      lastBeforeStop.put(id, before.get(before.size() - 1).fireTime());
    }
    // The outage under test: the job stays stopped for ten seconds.
    Thread.sleep(10_000);
    Configuration restored = conf(2);
    restored.setString("execution.state-recovery.path", savepoint);
    JobClient second =
        KeyflowTestJob.start(restored, module, List.of(ticker("catch-up")), List.of());
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
                          fires(id).stream()
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
      List<Seen> fires = fires(id);
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
    List<Seen> skip = after(fires(ids.get(0)), lastBeforeStop.get(ids.get(0)));
    List<Seen> once = after(fires(ids.get(1)), lastBeforeStop.get(ids.get(1)));
    List<Seen> all = after(fires(ids.get(2)), lastBeforeStop.get(ids.get(2)));
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

  @Test
  void
      aFunctionCreatesItsOwnScheduleWithTheJavaSdkAndDeletesItAfterThreeFiresAndAMisspeltOneIsSkipped()
          throws Exception {
    FailurePlan.register("reminders", FailurePlan.never());
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> users = List.of("u1-" + run, "u2-" + run, "u3-" + run);
    String misspelt = "u0-" + run;
    GeneratedIngress start =
        GeneratedIngress.of(
                users.size() + 1,
                i ->
                    i == 0
                        ? TestFunctions.message("sc", "reminder", misspelt, "start-misspelt")
                        : TestFunctions.message(
                            "sc", "reminder", users.get(i.intValue() - 1), "start"))
            .lingering()
            .failing("reminders");
    JobClient job = KeyflowTestJob.start(conf(2), module(""), List.of(start), List.of());
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(1),
          () -> users.stream().allMatch(u -> seen("reminder-" + u).size() >= 4));
      // A deleted schedule must stay silent: watch two more periods for a stray fire.
      long watchUntil = System.currentTimeMillis() + 4_000;
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofSeconds(30), () -> System.currentTimeMillis() > watchUntil);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    for (String user : users) {
      List<Seen> seen = seen("reminder-" + user);
      assertThat(seen).extracting(Seen::what).containsExactly("fire", "fire", "fire", "deleted");
      assertThat(seen).allMatch(s -> s.address().equals(user));
      List<Long> times = seen.stream().limit(3).map(Seen::fireTime).toList();
      assertThat(times.get(1) - times.get(0)).isEqualTo(2000);
      assertThat(times.get(2) - times.get(1)).isEqualTo(2000);
    }
    // The misspelt command was skipped, and the job carried on with the others.
    assertThat(seen("reminder-" + misspelt)).isEmpty();
  }

  @Test
  void aFunctionCreatesItsOwnScheduleWithTheJavaScriptSdkAndDeletesItAfterThreeFires()
      throws Exception {
    FailurePlan.register("js-reminders", FailurePlan.never());
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> users = List.of("j1-" + run, "j2-" + run);
    GeneratedIngress start =
        GeneratedIngress.of(
                users.size(),
                i -> TestFunctions.message("scjs", "reminder", users.get(i.intValue()), "start"))
            .lingering()
            .failing("js-reminders");
    try (NodeFunctionServer js =
        NodeFunctionServer.start("reminder-server.js", "scjs", TOPIC, "2s")) {
      JobClient job =
          KeyflowTestJob.start(
              conf(2), module("scjs", js.baseUrl(), ""), List.of(start), List.of());
      try {
        KeyflowTestJob.awaitWhileRunning(
            job,
            Duration.ofMinutes(2),
            () -> users.stream().allMatch(u -> seen("reminder-" + u).size() >= 4));
        // A deleted schedule must stay silent: watch two more periods for a stray fire.
        long watchUntil = System.currentTimeMillis() + 4_000;
        KeyflowTestJob.awaitWhileRunning(
            job, Duration.ofSeconds(30), () -> System.currentTimeMillis() > watchUntil);
      } finally {
        KeyflowTestJob.cancel(job);
      }
    }

    for (String user : users) {
      List<Seen> seen = seen("reminder-" + user);
      assertThat(seen).extracting(Seen::what).containsExactly("fire", "fire", "fire", "deleted");
      assertThat(seen).allMatch(s -> s.address().equals(user));
      List<Long> times = seen.stream().limit(3).map(Seen::fireTime).toList();
      assertThat(times.get(1) - times.get(0)).isEqualTo(2000);
      assertThat(times.get(2) - times.get(1)).isEqualTo(2000);
    }
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
        module(
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
    long lastFire = fires(id).stream().mapToLong(Seen::fireTime).max().orElseThrow();
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
