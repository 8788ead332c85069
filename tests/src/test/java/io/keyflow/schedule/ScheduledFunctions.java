package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.testing.ExactlyOnceFixture;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * What the schedule tests of a class share: {@link ScheduleFunctions} of one namespace on a
 * function server, recording what they saw to an output topic through the namespace's exactly-once
 * egress ({@code <namespace>/out}), and the modules that bind them with schedules.
 */
final class ScheduledFunctions implements AutoCloseable {
  private final String namespace;
  private final ExactlyOnceFixture fixture;

  private ScheduledFunctions(String namespace, ExactlyOnceFixture fixture) {
    this.namespace = namespace;
    this.fixture = fixture;
  }

  /**
   * Serves the functions of {@code namespace}.
   *
   * @param functions the functions, given the topic they record to
   */
  static ScheduledFunctions start(String namespace, Function<String, StatefulFunctions> functions)
      throws Exception {
    return new ScheduledFunctions(namespace, ExactlyOnceFixture.start(namespace, functions));
  }

  /**
   * A MiniCluster of one TaskManager with two slots whose REST metrics are fetched every second:
   * {@code keyflow schedules list} reads the schedules' counts from them, and every 10 s (Flink's
   * default) would be slow for a test.
   */
  static MiniClusterExtension miniClusterFetchingMetricsEverySecond() {
    Configuration conf = new Configuration();
    conf.setString("metrics.fetcher.update-interval", "1 s");
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(conf)
            .build());
  }

  /** A ticker that keeps a job without ingress running and fails it when the plan says so. */
  static GeneratedIngress ticker(String plan) {
    return GeneratedIngress.of(0, i -> null).lingering().failing(plan);
  }

  /** Stops the job with a savepoint under {@code dir} and returns the savepoint's path. */
  static String stopWithSavepoint(JobClient job, Path dir) throws Exception {
    String savepoint =
        job.stopWithSavepoint(
                false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
    return savepoint;
  }

  /** The topic the functions record to. */
  String topic() {
    return fixture.outTopic();
  }

  /** A module of these functions, their egress and {@code schedules} (YAML documents, or none). */
  String module(String schedules) {
    return module(namespace, fixture.functionsUrl(), schedules);
  }

  /** A module of the functions of {@code namespace} at {@code functionsUrl}, as above. */
  static String module(String namespace, String functionsUrl, String schedules) {
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

  /** The committed fires and deletions of {@code schedule}, in the order written. */
  List<Seen> seen(String schedule) {
    return fixture.values("fire ", "deleted ").stream()
        .map(Seen::parse)
        .filter(s -> s.schedule().equals(schedule))
        .toList();
  }

  /** The committed fires of {@code schedule}. */
  List<Seen> fires(String schedule) {
    return seen(schedule).stream().filter(s -> s.what().equals("fire")).toList();
  }

  /**
   * Waits until every user's reminder schedule ({@code reminder-<user>}) fired three times and was
   * deleted, then watches two more periods of 2 s so that a stray fire after the deletion shows.
   */
  void awaitRemindersDeleted(JobClient job, Duration timeout, List<String> users) throws Exception {
    KeyflowTestJob.awaitWhileRunning(
        job, timeout, () -> users.stream().allMatch(u -> seen("reminder-" + u).size() >= 4));
    long watchUntil = System.currentTimeMillis() + 4_000;
    KeyflowTestJob.awaitWhileRunning(
        job, Duration.ofSeconds(30), () -> System.currentTimeMillis() > watchUntil);
  }

  /**
   * Checks that each user's reminder fired three times, 2 s apart, at the user's address, and was
   * deleted after the third fire, with nothing after the deletion.
   */
  void assertThreeRemindersThenDeleted(List<String> users) {
    for (String user : users) {
      List<Seen> seen = seen("reminder-" + user);
      assertThat(seen).extracting(Seen::what).containsExactly("fire", "fire", "fire", "deleted");
      assertThat(seen).allMatch(s -> s.address().equals(user));
      List<Long> times = seen.stream().limit(3).map(Seen::fireTime).toList();
      assertThat(times.get(1) - times.get(0)).isEqualTo(2000);
      assertThat(times.get(2) - times.get(1)).isEqualTo(2000);
    }
  }

  @Override
  public void close() {
    fixture.close();
  }
}
