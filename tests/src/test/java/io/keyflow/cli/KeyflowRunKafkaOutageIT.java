package io.keyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.BrokerProcess;
import io.keyflow.testing.CliProcess;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.SteadyProducer;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyflow run} as a process, against a Kafka broker process that is killed under load and
 * stays down for longer than the egress producer's delivery timeout, then starts again on its data
 * and port: the run stays up, output resumes, every count is committed exactly once, and Ctrl-C
 * still stops it cleanly.
 */
class KeyflowRunKafkaOutageIT {
  private static final TypeName EGRESS = TypeName.typeNameOf("outage", "out");
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void theRunRidesABrokerCrashLongerThanTheDeliveryTimeoutAndCommitsEveryCountOnce()
      throws Exception {
    try (BrokerProcess broker = BrokerProcess.start(dir.resolve("kafka"));
        FunctionServer functions =
            FunctionServer.start(
                TestFunctions.of(
                    TestFunctions.kafkaCounter("outage", "counter", EGRESS, "out", null)),
                "127.0.0.1",
                0)) {
      broker.createTopics(Set.of("in", "out"), 2);
      Path module = dir.resolve("module.yaml");
      Files.writeString(module, module(functions.baseUrl(), broker.bootstrapServers()));
      try (CliProcess run =
              CliProcess.start(
                  dir,
                  "run",
                  "--module",
                  module.toString(),
                  "--state-dir",
                  dir.resolve("state").toString(),
                  "--rest-port",
                  "0",
                  "--checkpoint-interval",
                  "500ms");
          SteadyProducer load =
              SteadyProducer.start(
                  broker.bootstrapServers(), "in", "k-", 20, Duration.ofMillis(20));
          CommittedTopicReader output =
              new CommittedTopicReader(broker.bootstrapServers(), "out")) {
        run.awaitLine("Ctrl-C stops", Duration.ofMinutes(2));
        awaitOutput(run, output, () -> 200, Duration.ofMinutes(1));

        broker.kill();
        Thread.sleep(OUTAGE.toMillis());
        broker.startAgain();
        int sentBeforeTheEnd = load.sent();
        awaitOutput(run, output, () -> sentBeforeTheEnd, Duration.ofMinutes(2));
        int sent = load.stop(Duration.ofSeconds(10));
        awaitOutput(run, output, () -> sent, Duration.ofMinutes(1));

        List<String> values = output.values("k-");
        assertThat(values).as("committed counts").hasSize(sent);
        assertThat(new HashSet<>(values)).isEqualTo(load.expectedCounts(sent));
        assertThat(run.lines()).noneMatch(l -> l.contains("TaskManager"));

        run.interrupt();
        assertThat(run.awaitExit(Duration.ofSeconds(15)))
            .as("exit status after SIGINT; output: %s", run.lines())
            .isEqualTo(0);
      }
    }
  }

  /** Waits for {@code count} committed counts while the run is alive. */
  private static void awaitOutput(
      CliProcess run, CommittedTopicReader output, IntSupplier count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (output.values("k-").size() < count.getAsInt()) {
      if (!run.handle().isAlive()) {
        throw new AssertionError("keyflow run exited: " + run.lines());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "fewer than "
                + count.getAsInt()
                + " counts committed within "
                + timeout
                + " ("
                + output.values("k-").size()
                + "); keyflow run said: "
                + run.lines());
      }
      Thread.sleep(200);
    }
  }

  /**
   * Short producer timeouts (10 s instead of half the transaction timeout) so that the 30 s outage
   * fails the job and it restarts; the transactions outlive the outage (2 min).
   */
  private static String module(String functionsUrl, String kafka) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: outage/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: outage/in
          address: %s
          consumerGroupId: outage
          topics:
            - topic: in
              valueType: keyflow.test/raw
              targets:
                - outage/counter
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: outage/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
          properties:
            - delivery.timeout.ms: 10000
            - max.block.ms: 10000
            - request.timeout.ms: 5000
        """
        .formatted(functionsUrl, kafka, kafka);
  }
}
