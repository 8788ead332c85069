package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.testing.ExactlyOnceFixture;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka in, Kafka out, exactly once: the module declares StateFun's Kafka kinds, a real broker
 * (KRaft, in this JVM) carries the records, and a counter function forwards each count to a second
 * function at a random id (so it crosses subtasks through the feedback loop) that writes it to an
 * exactly-once egress. A read_committed consumer checks the output.
 */
@ExtendWith(KafkaBroker.class)
class KafkaExactlyOnceIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final TypeName EGRESS = TypeName.typeNameOf("kc", "out");
  private static ExactlyOnceFixture fixture;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws Exception {
    fixture =
        ExactlyOnceFixture.start(
            "out",
            out ->
                TestFunctions.of(
                    TestFunctions.kafkaCounter(
                        "kc", "counter", EGRESS, out, TypeName.typeNameOf("kc", "forward")),
                    TestFunctions.kafkaForwarder("kc", "forward", EGRESS, out)));
  }

  @AfterAll
  static void stopFunctions() {
    fixture.close();
  }

  private String module(String inTopic) {
    return module(inTopic, "skip");
  }

  private String module(String inTopic, String invalidRecords) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: kc/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: kc/in
          address: %s
          consumerGroupId: %s
          invalidRecords: %s
          topics:
            - topic: %s
              valueType: keyflow.test/raw
              targets:
                - kc/counter
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: kc/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
        """
        .formatted(
            fixture.functionsUrl(),
            KafkaBroker.bootstrapServers(),
            "group-" + inTopic,
            invalidRecords,
            inTopic,
            KafkaBroker.bootstrapServers());
  }

  /** Committed output values starting with {@code prefix} (each test has its own keys). */
  private static List<String> committedValues(String... prefixes) {
    return fixture.values(prefixes);
  }

  /** A ticker that fails the job when the plan says so; its records never reach functions. */
  private static GeneratedIngress failures(String plan) {
    return GeneratedIngress.of(0, i -> null).lingering().failing(plan);
  }

  @Test
  void countsContinueWithoutDuplicatesOrGapsAfterAFailure() throws Exception {
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    AtomicBoolean failNow = new AtomicBoolean();
    FailurePlan plan = FailurePlan.register("kafka-three", FailurePlan.onceWhen(failNow));
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
            module(in),
            List.of(failures("kafka-three")),
            List.of());
    try {
      KafkaBroker.produce(in, List.of(kv("foo"), kv("foo"), kv("bar")));
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(2), () -> committedValues("foo=", "bar=").size() >= 3);
      assertThat(committedValues("foo=", "bar="))
          .containsExactlyInAnyOrder("foo=1", "foo=2", "bar=1");

      failNow.set(true);
      KeyflowTestJob.awaitWhileRunning(job, Duration.ofMinutes(1), () -> plan.failures() == 1);
      KafkaBroker.produce(in, List.of(kv("foo"), kv("foo"), kv("bar")));
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(2), () -> committedValues("foo=", "bar=").size() >= 6);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(committedValues("foo=", "bar="))
        .containsExactlyInAnyOrder("foo=1", "foo=2", "bar=1", "foo=3", "foo=4", "bar=2");
  }

  @Test
  void restartFromASavepointResumesAfterTheRecordsItHadRead() throws Exception {
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    String module = module(in);
    JobClient first =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
            module,
            List.of(),
            List.of());
    KafkaBroker.produce(in, List.of(kv("sp-a"), kv("sp-a"), kv("sp-b")));
    KeyflowTestJob.awaitWhileRunning(
        first, Duration.ofMinutes(2), () -> committedValues("sp-").size() >= 3);
    String savepoint =
        first
            .stopWithSavepoint(
                false,
                checkpoints.resolve("savepoints").toUri().toString(),
                org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    first.getJobExecutionResult().get(2, TimeUnit.MINUTES);

    KafkaBroker.produce(in, List.of(kv("sp-a"), kv("sp-b")));
    var conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300));
    conf.setString("execution.state-recovery.path", savepoint);
    JobClient second = KeyflowTestJob.start(conf, module, List.of(), List.of());
    try {
      KeyflowTestJob.awaitWhileRunning(
          second, Duration.ofMinutes(2), () -> committedValues("sp-").size() >= 5);
    } finally {
      KeyflowTestJob.cancel(second);
    }

    assertThat(committedValues("sp-"))
        .containsExactlyInAnyOrder("sp-a=1", "sp-a=2", "sp-b=1", "sp-a=3", "sp-b=2");
  }

  @Test
  void dateStartupPositionSkipsRecordsOlderThanTheDate() throws Exception {
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 1);
    long before = java.time.Instant.parse("2020-01-01T00:00:00Z").toEpochMilli();
    long after = java.time.Instant.parse("2025-06-01T00:00:00Z").toEpochMilli();
    KafkaBroker.produceAt(in, before, List.of(record("date-old-1"), record("date-old-2")));
    KafkaBroker.produceAt(
        in, after, List.of(record("date-new-1"), record("date-new-2"), record("date-end")));

    List<String> out =
        readFromStartupPosition(
            in,
            """
              type: date
              date: 2024-01-01 00:00:00.000 +0000""",
            "date-end",
            "date-");

    assertThat(out).containsExactlyInAnyOrder("date-new-1", "date-new-2", "date-end");
  }

  @Test
  void specificOffsetsStartAtTheGivenOffset() throws Exception {
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 1);
    KafkaBroker.produce(
        in,
        List.of(
            record("off-0"),
            record("off-1"),
            record("off-2"),
            record("off-3"),
            record("off-4"),
            record("off-end")));

    List<String> out =
        readFromStartupPosition(
            in,
            """
              type: specific-offsets
              offsets:
                - %s/0: 3"""
                .formatted(in),
            "off-end",
            "off-");

    assertThat(out).containsExactlyInAnyOrder("off-3", "off-4", "off-end");
  }

  /** A record of the one key the startup-position tests use, so they all go to one address. */
  private static String[] record(String value) {
    return new String[] {"start", value};
  }

  /**
   * Runs {@code kc/forward} (writes each message unchanged to the egress) from the given startup
   * position until the output holds {@code endMarker}. Every record has the same key, so one
   * address handles them in order and one egress writer writes them in order: once the marker is
   * committed, so is everything read before it.
   */
  private List<String> readFromStartupPosition(
      String in, String startupPosition, String endMarker, String prefix) throws Exception {
    String module =
        module(in)
            .replace("- kc/counter", "- kc/forward")
            .replace(
                "  invalidRecords: skip\n",
                "  invalidRecords: skip\n  startupPosition:\n" + startupPosition.indent(4));
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
            module,
            List.of(),
            List.of());
    try {
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(2), () -> committedValues(endMarker).contains(endMarker));
    } finally {
      KeyflowTestJob.cancel(job);
    }
    return committedValues(prefix);
  }

  @Test
  void recordsWithoutKeyOrValueAreSkippedAndTheJobKeepsRunning() throws Exception {
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 1);
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
            module(in),
            List.of(),
            List.of());
    try {
      KafkaBroker.produce(
          in, List.of(new String[] {null, "x"}, new String[] {"baz", null}, kv("baz")));
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(2), () -> committedValues("baz=").size() >= 1);
      assertThat(job.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
    } finally {
      KeyflowTestJob.cancel(job);
    }
    assertThat(committedValues("baz=")).containsExactly("baz=1");
  }

  @Test
  void deadLetterPolicyWritesUnroutableRecordsWithTheReasonAndGoesOn() throws Exception {
    String in = "in-" + UUID.randomUUID();
    String dlq = "dlq-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 1);
    KafkaBroker.createTopic(dlq, 1);
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
            module(in, "dead-letter\n  deadLetterTopic: " + dlq),
            List.of(),
            List.of());
    try {
      KafkaBroker.produce(
          in, List.of(new String[] {null, "no-key"}, new String[] {"dl", null}, kv("dl")));
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(2), () -> committedValues("dl=").size() >= 1);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(committedValues("dl=")).containsExactly("dl=1");
    List<ConsumerRecord<byte[], byte[]>> letters =
        KafkaBroker.readCommitted(dlq, Duration.ofSeconds(1));
    assertThat(letters).hasSize(2);
    assertThat(header(letters.get(0), "keyflow.reason")).contains("no key");
    assertThat(header(letters.get(0), "keyflow.source")).isEqualTo(in + "/0@0");
    assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("no-key");
    assertThat(header(letters.get(1), "keyflow.reason")).contains("tombstone");
    assertThat(header(letters.get(1), "keyflow.ingress")).isEqualTo("kc/in");
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void failPolicyStopsTheJobNamingTheRecord() throws Exception {
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 1);
    var conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300));
    conf.setString("restart-strategy.type", "none");
    JobClient job = KeyflowTestJob.start(conf, module(in, "fail"), List.of(), List.of());
    KafkaBroker.produce(in, List.<String[]>of(new String[] {null, "x"}));

    assertThatThrownBy(() -> job.getJobExecutionResult().get(2, TimeUnit.MINUTES))
        .hasStackTraceContaining("cannot route the record at " + in + "/0 offset 0")
        .hasStackTraceContaining("it has no key")
        .hasStackTraceContaining("invalidRecords: fail");
  }

  private static String[] kv(String key) {
    return new String[] {key, "x"};
  }

  @Test
  void hundredThousandRecordsGiveExactlyOneCommittedOutputEachDespiteTwoFailures()
      throws Exception {
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    int keys = 1_000;
    int records = 100_000;
    FailurePlan plan = FailurePlan.register("kafka-100k", FailurePlan.times(2, 20));
    List<String[]> input = new ArrayList<>(records);
    HashSet<String> expected = new HashSet<>();
    for (int i = 0; i < records; i++) {
      input.add(kv("k-" + (i % keys)));
      expected.add("k-" + (i % keys) + "=" + (i / keys + 1));
    }
    KafkaBroker.produce(in, input);

    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(500)),
            module(in),
            List.of(failures("kafka-100k")),
            List.of());
    List<String> committed;
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(5),
          () -> plan.failures() == 2 && committedValues("k-").size() >= records);
      committed = committedValues("k-");
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(committed).hasSize(records);
    assertThat(new HashSet<>(committed)).isEqualTo(expected);
  }
}
