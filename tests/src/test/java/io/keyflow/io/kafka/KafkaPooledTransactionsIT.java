package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.keyflow.cli.jobs.SubmitCommand;
import io.keyflow.module.ModuleException;
import io.keyflow.testing.ExactlyOnceFixture;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An exactly-once Kafka egress that declares its topics, so its sink reuses a few pooled
 * transactional ids and finds the transactions a failed run left open by listing them on the
 * topics. A counter forwards each count through the feedback loop to a function that writes it to
 * the egress; a second function sends every message to a topic the egress does not declare. A
 * read_committed consumer checks the output. A declared topic that does not exist refuses the job
 * before it starts; once it exists, the same module runs. So does a gateway's reply topic, which
 * its exactly-once replies pool their transactional ids on, and, like every topic a source reads,
 * an ingress topic and a gateway's request topic; when several are missing, one error names each.
 */
@ExtendWith(KafkaBroker.class)
class KafkaPooledTransactionsIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final TypeName EGRESS = TypeName.typeNameOf("pt", "out");
  private static String strayTopic;
  private static ExactlyOnceFixture fixture;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws Exception {
    strayTopic = "pt-stray-" + UUID.randomUUID();
    KafkaBroker.createTopic(strayTopic, 1);
    fixture =
        ExactlyOnceFixture.start(
            "pt-out",
            out ->
                TestFunctions.of(
                    TestFunctions.kafkaCounter(
                        "pt", "counter", EGRESS, out, TypeName.typeNameOf("pt", "forward")),
                    TestFunctions.kafkaForwarder("pt", "forward", EGRESS, out),
                    TestFunctions.kafkaCounter("pt", "stray", EGRESS, strayTopic, null)));
  }

  @AfterAll
  static void stopFunctions() {
    fixture.close();
  }

  /**
   * The module: the ingress feeds {@code targets}; the egress declares {@code topics} (null: no
   * topics field) under the transactional-id prefix {@code prefix}.
   */
  private String module(String in, String targets, String topics, String prefix) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: pt/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: pt/in
          address: %s
          consumerGroupId: group-%s
          topics:
            - topic: %s
              valueType: keyflow.test/raw
              targets: [%s]
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: pt/out
          address: %s
          transactionalIdPrefix: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
        """
            .formatted(
                fixture.functionsUrl(),
                KafkaBroker.bootstrapServers(),
                in,
                in,
                targets,
                KafkaBroker.bootstrapServers(),
                prefix)
        + (topics == null ? "" : "  topics: [" + topics + "]\n");
  }

  @Test
  void countsStayExactThroughAFailureAndTheBrokerKeepsAFewTransactionalIds() throws Exception {
    String in = "pt-in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    String prefix = "pt-" + UUID.randomUUID();
    int keys = 200;
    int records = 20_000;
    KafkaBroker.produce(in, input("fail", keys, 0, records));
    AtomicBoolean failNow = new AtomicBoolean();
    FailurePlan plan = FailurePlan.register("pooled-failure", FailurePlan.onceWhen(failNow));
    long adminClientsBefore = adminClientThreads();

    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
            module(in, "pt/counter, pt/stray", fixture.outTopic(), prefix),
            List.of(GeneratedIngress.of(0, i -> null).lingering().failing("pooled-failure")),
            List.of());
    List<String> committed;
    try {
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(3), () -> fixture.values("fail-").size() >= records / 5);
      failNow.set(true);
      // Enough checkpoints that incrementing naming would have left dozens of ids per subtask.
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(5),
          () ->
              plan.failures() == 1
                  && plan.lastCompletedCheckpoint() >= 30
                  && fixture.values("fail-").size() >= records);
      committed = fixture.values("fail-");
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(committed).hasSize(records);
    assertThat(new HashSet<>(committed)).isEqualTo(expected("fail", keys, records));
    assertThat(KafkaBroker.readCommitted(strayTopic, Duration.ofSeconds(1)))
        .as("records to the topic the egress does not declare are skipped")
        .isEmpty();
    // Two subtasks, each with the transaction it writes and one or two waiting for their commit.
    assertThat(transactionalIds(prefix)).isNotEmpty().hasSizeLessThanOrEqualTo(8);
    // Each writer of both runs listed lingering transactions with an admin client of its own.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (adminClientThreads() > adminClientsBefore && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(adminClientThreads())
        .as("the admin clients of the writers are closed with them")
        .isLessThanOrEqualTo(adminClientsBefore);
  }

  /** Threads of Kafka admin clients without a client id of their own, as the writers make. */
  private static long adminClientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t -> t.isAlive() && t.getName().startsWith("kafka-admin-client-thread | adminclient-"))
        .count();
  }

  @Test
  void declaringTheTopicsOfARunningEgressRestoresItsSavepointExactly() throws Exception {
    String in = "pt-in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    String prefix = "pt-" + UUID.randomUUID();
    int keys = 100;
    KafkaBroker.produce(in, input("sp", keys, 0, 3_000));
    JobClient first =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
            module(in, "pt/counter", null, prefix),
            List.of(),
            List.of());
    KeyflowTestJob.awaitWhileRunning(
        first, Duration.ofMinutes(3), () -> fixture.values("sp-").size() >= 3_000);
    String savepoint =
        first
            .stopWithSavepoint(
                false,
                checkpoints.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    first.getJobExecutionResult().get(2, TimeUnit.MINUTES);

    KafkaBroker.produce(in, input("sp", keys, 3_000, 6_000));
    var conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300));
    conf.setString("execution.state-recovery.path", savepoint);
    JobClient second =
        KeyflowTestJob.start(
            conf, module(in, "pt/counter", fixture.outTopic(), prefix), List.of(), List.of());
    try {
      KeyflowTestJob.awaitWhileRunning(
          second, Duration.ofMinutes(3), () -> fixture.values("sp-").size() >= 6_000);
    } finally {
      KeyflowTestJob.cancel(second);
    }

    List<String> committed = fixture.values("sp-");
    assertThat(committed).hasSize(6_000);
    assertThat(new HashSet<>(committed)).isEqualTo(expected("sp", keys, 6_000));
  }

  @Test
  void aDeclaredTopicThatDoesNotExistRefusesTheJobAndOnceCreatedTheSameModuleStarts()
      throws Exception {
    String in = "pt-in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    String missing = "pt-missing-" + UUID.randomUUID();
    String module =
        module(in, "pt/counter", fixture.outTopic() + ", " + missing, "pt-" + UUID.randomUUID());
    var conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300));

    assertRefused(
        conf,
        module,
        "document 3 (io.statefun.kafka.v1/egress), spec.topics: egress pt/out declares",
        missing,
        "or topics removed from this egress");

    KafkaBroker.createTopic(missing, 2);
    runsExactly(conf, module, in, "made", () -> true);
  }

  @Test
  void aGatewayRequestOrReplyTopicThatDoesNotExistRefusesTheJobAndOnceBothExistTheSameModuleStarts()
      throws Exception {
    String in = "pt-in-" + UUID.randomUUID();
    String calls = "pt-calls-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    String replies = "pt-replies-" + UUID.randomUUID();
    String gatewayPrefix = "pt-gw-" + UUID.randomUUID();
    String module =
        module(in, "pt/counter", fixture.outTopic(), "pt-" + UUID.randomUUID())
            + """
            ---
            kind: io.keyflow.gateway.v1/http
            spec:
              id: pt/gateway
              address: %s
              requestTopic: %s
              replyTopic: %s
              transactionalIdPrefix: %s
            """
                .formatted(KafkaBroker.bootstrapServers(), calls, replies, gatewayPrefix);
    var conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300));

    // Both missing: one error names each, as it would alone.
    assertThatThrownBy(() -> KeyflowTestJob.start(conf, module, List.of(), List.of()))
        .isInstanceOf(ModuleException.class)
        .hasMessageStartingWith(
            "2 declarations name topics that do not exist:\n- module.yaml, document 4"
                + " (io.keyflow.gateway.v1/http), spec.requestTopic: gateway pt/gateway reads its"
                + " calls from topic "
                + calls
                + ", which does not exist on "
                + KafkaBroker.bootstrapServers())
        .hasMessageContaining(
            "\n- module.yaml, document 4 (io.keyflow.gateway.v1/http), spec.replyTopic: gateway"
                + " pt/gateway writes its replies to topic "
                + replies
                + ", which does not exist on ")
        .hasMessageContaining("or spec.requestTopic naming a topic that exists")
        .hasMessageContaining("or replies: at-least-once");
    KafkaBroker.createTopic(calls, 2);
    assertRefused(
        conf,
        module,
        "document 4 (io.keyflow.gateway.v1/http), spec.replyTopic: gateway pt/gateway writes its"
            + " replies to",
        replies,
        "or replies: at-least-once");
    assertThat(submitted(module))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining(
            "submitted-module.yaml, document 4 (io.keyflow.gateway.v1/http), spec.replyTopic:"
                + " gateway pt/gateway writes its replies to topic "
                + replies);
    assertThat(topicNames())
        .as("the check only asks; this broker would create a topic a client asked it to")
        .doesNotContain(replies);

    KafkaBroker.createTopic(replies, 2);
    runsExactly(conf, module, in, "gw", () -> !transactionalIds(gatewayPrefix).isEmpty());
  }

  @Test
  void aKafkaIngressTopicThatDoesNotExistRefusesTheJobAndOnceCreatedTheSameModuleStarts()
      throws Exception {
    String in = "pt-in-" + UUID.randomUUID();
    String module = module(in, "pt/counter", fixture.outTopic(), "pt-" + UUID.randomUUID());
    var conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300));

    // Without the check, the source's partition discovery fails the job as it starts, and Flink
    // restarts it until the topic exists.
    assertRefused(
        conf,
        module,
        "document 2 (io.statefun.kafka.v1/ingress), spec.topics: ingress pt/in reads",
        in,
        "or spec.topics naming topics that exist");
    assertThat(submitted(module))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining(
            "submitted-module.yaml, document 2 (io.statefun.kafka.v1/ingress), spec.topics:"
                + " ingress pt/in reads topic "
                + in);
    assertThat(topicNames())
        .as("the check only asks; this broker would create a topic a client asked it to")
        .doesNotContain(in);

    KafkaBroker.createTopic(in, 2);
    runsExactly(conf, module, in, "read", () -> true);
  }

  /**
   * What {@code keyflow submit} of {@code module} throws. Nothing listens at its REST address, so
   * only a refusal before it uploads anything names the module.
   */
  private Throwable submitted(String module) throws Exception {
    Path file = Files.writeString(checkpoints.resolve("submitted-module.yaml"), module);
    CommandLine submit = new CommandLine(new SubmitCommand());
    submit.parseArgs("--rest", "http://127.0.0.1:1", "--module", file.toString());
    return catchThrowable(() -> submit.<SubmitCommand>getCommand().call());
  }

  /**
   * Starting a job of {@code module} is refused: the error says, after {@code where}, that the
   * {@code missing} topic does not exist on the broker, and names how to create it and {@code
   * otherFix}.
   */
  private static void assertRefused(
      Configuration conf, String module, String where, String missing, String otherFix) {
    assertThatThrownBy(() -> KeyflowTestJob.start(conf, module, List.of(), List.of()))
        .isInstanceOf(ModuleException.class)
        .hasMessageStartingWith(
            "module.yaml, "
                + where
                + " topic "
                + missing
                + ", which does not exist on "
                + KafkaBroker.bootstrapServers())
        .hasMessageContaining("--create --topic " + missing)
        .hasMessageContaining(otherFix);
  }

  /**
   * Produces 100 records over 10 keys {@code <prefix>-<k>} to {@code in}, runs a job of {@code
   * module} until their counts are committed and {@code alsoDone} holds, and checks that the counts
   * are exact.
   */
  private static void runsExactly(
      Configuration conf, String module, String in, String prefix, KeyflowTestJob.Check alsoDone)
      throws Exception {
    KafkaBroker.produce(in, input(prefix, 10, 0, 100));
    JobClient job = KeyflowTestJob.start(conf, module, List.of(), List.of());
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(3),
          () -> fixture.values(prefix + "-").size() >= 100 && alsoDone.done());
    } finally {
      KeyflowTestJob.cancel(job);
    }
    List<String> committed = fixture.values(prefix + "-");
    assertThat(committed).hasSize(100);
    assertThat(new HashSet<>(committed)).isEqualTo(expected(prefix, 10, 100));
  }

  /** The topics on the broker. */
  private static Set<String> topicNames() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    }
  }

  /** Records {@code from} (inclusive) to {@code to}, round-robin over the keys. */
  private static List<String[]> input(String prefix, int keys, int from, int to) {
    List<String[]> input = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      input.add(new String[] {prefix + "-" + (i % keys), "x"});
    }
    return input;
  }

  private static Set<String> expected(String prefix, int keys, int records) {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < records; i++) {
      expected.add(prefix + "-" + (i % keys) + "=" + (i / keys + 1));
    }
    return expected;
  }

  /** The transactional ids the broker knows under {@code prefix}, in any state. */
  private static Set<String> transactionalIds(String prefix) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      Set<String> ids = new HashSet<>();
      for (TransactionListing listing : admin.listTransactions().all().get(30, TimeUnit.SECONDS)) {
        if (listing.transactionalId().startsWith(prefix + "-")) {
          ids.add(listing.transactionalId());
        }
      }
      return ids;
    }
  }
}
