package io.keyflow.savepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.cli.Keyflow;
import io.keyflow.testing.ExactlyOnceFixture;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A Keyflow job on Flink's changelog state backend: its checkpoints are refused by the state tools
 * with a message that names the way out, its canonical savepoint is listed exactly, and that
 * savepoint restores at another parallelism in the default claim mode with every counter
 * continuing, exactly once.
 */
@ExtendWith(KafkaBroker.class)
class ChangelogStateIT {
  /** Where the TaskManager logs the state changes; a cluster setting, not a job's. */
  private static final Path CHANGELOG = temporaryDirectory();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      KeyflowTestJob.miniCluster(2, KeyflowTestJob.changelogStorage(CHANGELOG));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeName EGRESS = TypeName.typeNameOf("cl", "out");
  private static ExactlyOnceFixture fixture;

  @TempDir Path dir;

  @BeforeAll
  static void startFunctions() throws Exception {
    fixture =
        ExactlyOnceFixture.start(
            "out",
            topic ->
                TestFunctions.of(TestFunctions.kafkaCounter("cl", "counter", EGRESS, topic, null)));
  }

  @AfterAll
  static void stopFunctions() throws Exception {
    fixture.close();
    try (Stream<Path> paths = Files.walk(CHANGELOG)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("keyflow-changelog-it");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String module(String inTopic) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: cl/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: cl/in
          address: %s
          consumerGroupId: group-%s
          startupPosition:
            type: earliest
          topics:
            - topic: %s
              valueType: keyflow.test/raw
              targets:
                - cl/counter
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: cl/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
        """
        .formatted(
            fixture.functionsUrl(),
            KafkaBroker.bootstrapServers(),
            inTopic,
            inTopic,
            KafkaBroker.bootstrapServers());
  }

  private Configuration changelogJob(String checkpoints, int parallelism) {
    Configuration conf =
        KeyflowTestJob.configuration(dir.resolve(checkpoints), parallelism, Duration.ofMillis(200));
    conf.setString(
        "execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
    return KeyflowTestJob.withChangelog(conf);
  }

  private static List<String[]> oneRecordPerId(int ids) {
    List<String[]> records = new ArrayList<>(ids);
    for (int i = 0; i < ids; i++) {
      records.add(new String[] {"cl-" + i, "go"});
    }
    return records;
  }

  private static Set<String> counts(int ids, long count) {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < ids; i++) {
      expected.add("cl-" + i + "=" + count);
    }
    return expected;
  }

  /** The newest completed checkpoint ({@code chk-N} with its metadata) under {@code dir}. */
  private static Path newestCheckpoint(Path dir) throws Exception {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths
          .filter(p -> p.getFileName().toString().matches("chk-\\d+"))
          .filter(p -> Files.exists(p.resolve("_metadata")))
          .max(
              Comparator.comparingLong(
                  p -> Long.parseLong(p.getFileName().toString().substring(4))))
          .orElseThrow(() -> new AssertionError("no completed checkpoint under " + dir));
    }
  }

  @Test
  void checkpointsAreRefusedByNameWhileTheSavepointDumpsAndRestoresAtAnotherParallelism()
      throws Exception {
    int ids = 200;
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    JobClient first =
        KeyflowTestJob.start(changelogJob("checkpoints", 2), module(in), List.of(), List.of());
    String savepoint;
    try {
      KafkaBroker.produce(in, oneRecordPerId(ids));
      // The state changes go to files in the storage (not to memory) while the job runs. Files
      // that no retained checkpoint needs any more are deleted, so they are looked for from the
      // start, while the records are being counted.
      boolean[] logged = new boolean[1];
      KeyflowTestJob.awaitWhileRunning(
          first,
          Duration.ofMinutes(3),
          () -> {
            logged[0] |= logged(CHANGELOG);
            return fixture.values("cl-").size() >= ids;
          });
      KeyflowTestJob.awaitWhileRunning(
          first, Duration.ofMinutes(1), () -> logged[0] |= logged(CHANGELOG));
      savepoint =
          first
              .triggerSavepoint(
                  dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
              .get(2, TimeUnit.MINUTES);
    } finally {
      KeyflowTestJob.cancel(first);
    }
    assertThat(new HashSet<>(fixture.values("cl-"))).isEqualTo(counts(ids, 1));

    String checkpoint = newestCheckpoint(dir.resolve("checkpoints")).toString();
    assertThatThrownBy(() -> DispatcherLayout.read(checkpoint))
        .isInstanceOf(SavepointException.class)
        .hasMessageContaining(checkpoint)
        .hasMessageContaining("changelog state backend")
        .hasMessageContaining("take a savepoint");
    assertThat(
            keyflow(
                "state",
                "dump",
                "--savepoint",
                checkpoint,
                "--output",
                dir.resolve("refused.jsonl").toString()))
        .isEqualTo(1);

    Path dump = dir.resolve("dump.jsonl");
    assertThat(keyflow("state", "dump", "--savepoint", savepoint, "--output", dump.toString()))
        .isZero();
    List<String> lines = Files.readAllLines(dump);
    assertThat(lines).hasSize(ids);
    for (String line : lines) {
      JsonNode count = JSON.readTree(line).path("values").path("count");
      assertThat(count.toString())
          .isEqualTo("{\"typename\":\"io.statefun.types/long\",\"value\":1}");
    }

    // Restored in Flink's default mode (NO_CLAIM), as keyflow submit --from-savepoint does.
    Configuration rescaled = changelogJob("checkpoints-rescaled", 1);
    rescaled.setString("execution.state-recovery.path", savepoint);
    JobClient second = KeyflowTestJob.start(rescaled, module(in), List.of(), List.of());
    try {
      KafkaBroker.produce(in, oneRecordPerId(ids));
      KeyflowTestJob.awaitWhileRunning(
          second, Duration.ofMinutes(3), () -> fixture.values("cl-").size() >= 2 * ids);
    } finally {
      KeyflowTestJob.cancel(second);
    }
    List<String> all = fixture.values("cl-");
    assertThat(all).hasSize(2 * ids);
    Set<String> expected = counts(ids, 1);
    expected.addAll(counts(ids, 2));
    assertThat(new HashSet<>(all)).isEqualTo(expected);
  }

  private static boolean logged(Path dir) throws java.io.IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.anyMatch(Files::isRegularFile);
    }
  }

  private static int keyflow(String... args) {
    return new CommandLine(new Keyflow()).execute(args);
  }
}
