package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.BrokerProcess;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.SteadyProducer;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker crashes (SIGKILL) under load and comes back on its data and port after a while:
 * an outage shorter than the exactly-once egress's delivery timeout is ridden out without a
 * restart; a longer one fails the job, which restarts from its last checkpoint once Kafka answers.
 * Either way the committed output holds every count exactly once. A broker process of the class's
 * own, so that other test classes never see the outage; each test has topics of its own on it.
 */
class KafkaOutageIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final TypeName EGRESS = TypeName.typeNameOf("ko", "out");

  @TempDir static Path brokerDir;
  private static BrokerProcess broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = BrokerProcess.start(brokerDir.resolve("kafka"));
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aBrokerDownShorterThanTheDeliveryTimeoutIsRiddenOutWithoutARestart() throws Exception {
    // The timeouts Keyflow derives from the transaction timeout (2 min): a minute of waiting.
    int restarts = runThroughOutage("short", "", Duration.ofSeconds(10));

    assertThat(restarts).as("task attempts after the first").isZero();
  }

  @Test
  void aBrokerDownLongerThanTheDeliveryTimeoutRestartsTheJobFromItsLastCheckpointExactly()
      throws Exception {
    // 5 s of waiting instead of a minute, and an outage longer than the delivery timeout plus
    // max.block.ms: records fail, and so does aborting their transaction.
    String shortTimeouts =
        """
          properties:
            - delivery.timeout.ms: 5000
            - max.block.ms: 5000
            - request.timeout.ms: 2500
        """;
    int restarts = runThroughOutage("long", shortTimeouts, Duration.ofSeconds(15));

    assertThat(restarts).as("task attempts after the first").isPositive();
  }

  /**
   * Runs a counter under steady load, kills the broker for {@code outage}, starts it again, and
   * checks that the committed output is exact; returns how often the job restarted.
   */
  private int runThroughOutage(String name, String egressProperties, Duration outage)
      throws Exception {
    FailurePlan restarts = FailurePlan.register("kafka-outage-" + name, FailurePlan.never());
    String in = "in-" + name;
    String out = "out-" + name;
    // Up whatever an earlier test of the class left behind.
    broker.startAgain();
    try (FunctionServer functions =
        FunctionServer.start(
            TestFunctions.of(TestFunctions.kafkaCounter("ko", "counter", EGRESS, out, null)),
            "127.0.0.1",
            0)) {
      broker.createTopics(Set.of(in, out), 2);
      SteadyProducer load =
          SteadyProducer.start(broker.bootstrapServers(), in, "k-", 20, Duration.ofMillis(20));
      JobClient job =
          KeyflowTestJob.start(
              KeyflowTestJob.configuration(dir.resolve("checkpoints"), 2, Duration.ofMillis(500)),
              module(functions.baseUrl(), broker.bootstrapServers(), name, egressProperties),
              List.of(
                  GeneratedIngress.of(0, i -> null).lingering().failing("kafka-outage-" + name)),
              List.of());
      try (load;
          CommittedTopicReader output = new CommittedTopicReader(broker.bootstrapServers(), out)) {
        KeyflowTestJob.awaitWhileRunning(
            job, Duration.ofMinutes(1), () -> output.values("k-").size() >= 200);

        broker.kill();
        Thread.sleep(outage.toMillis());
        broker.startAgain();
        int sentBeforeTheEnd = load.sent();
        KeyflowTestJob.awaitWhileRunning(
            job, Duration.ofMinutes(2), () -> output.values("k-").size() >= sentBeforeTheEnd);
        int sent = load.stop(Duration.ofSeconds(10));
        KeyflowTestJob.awaitWhileRunning(
            job, Duration.ofMinutes(1), () -> output.values("k-").size() >= sent);

        List<String> values = output.values("k-");
        assertThat(values).as("committed counts").hasSize(sent);
        assertThat(new HashSet<>(values)).isEqualTo(load.expectedCounts(sent));
        return restarts.highestAttempt();
      } finally {
        KeyflowTestJob.cancel(job);
      }
    }
  }

  /** The counter between the topics of the test {@code name}, with transactions of its own. */
  private static String module(
      String functionsUrl, String kafka, String name, String egressProperties) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: ko/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: ko/in
          address: %s
          consumerGroupId: ko-%s
          topics:
            - topic: in-%s
              valueType: keyflow.test/raw
              targets:
                - ko/counter
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: ko/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
          transactionalIdPrefix: ko-%s
        %s
        """
        .formatted(functionsUrl, kafka, name, name, kafka, name, egressProperties.stripTrailing());
  }
}
