package io.keyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.CliProcess;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.TestFunctions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/keyflow} as a user runs it: {@code run --module ... --with-kafka} as a process, fed
 * with {@code keyflow send} and through the run's HTTP gateway and a {@code keyflow gateway}, read
 * with {@code keyflow tail}, stopped with SIGINT, and run again. Its exactly-once egress declares
 * its topic, which the run creates before the job starts.
 */
class KeyflowCliIT {
  private static final TypeName EGRESS = TypeName.typeNameOf("cli", "out");
  private static final Duration STARTUP = Duration.ofMinutes(2);

  private static FunctionServer functions;

  @TempDir Path dir;

  @BeforeAll
  static void startFunctions() {
    functions =
        FunctionServer.start(
            TestFunctions.of(TestFunctions.kafkaCounter("cli", "counter", EGRESS, "cli-out", null)),
            "127.0.0.1",
            0);
  }

  @AfterAll
  static void stopFunctions() {
    functions.close();
  }

  @Test
  void runStopsOnSigintWithStatusZeroAndTheNextRunResumesItsState() throws Exception {
    int kafkaPort = freePort();
    String kafka = "127.0.0.1:" + kafkaPort;
    int gatewayPort = freePort();
    Path module = dir.resolve("module.yaml");
    Files.writeString(module, module(kafka, gatewayPort));
    String[] run = {
      "run",
      "--module",
      module.toString(),
      "--with-kafka",
      "--kafka-port",
      "" + kafkaPort,
      "--state-dir",
      dir.resolve("state").toString(),
      "--rest-port",
      "0",
      "--parallelism",
      "1",
      "--checkpoint-interval",
      "500ms"
    };

    try (CliProcess first = CliProcess.start(dir, run)) {
      first.awaitLine("HTTP gateway on http://127.0.0.1:" + gatewayPort, STARTUP);
      send(kafka, "k");
      send(kafka, "k");
      // The run's gateway takes a call too: written to Kafka, then delivered to the function.
      assertThat(sendOverGateway(gatewayPort, "g")).isEqualTo(202);
      try (CommittedTopicReader out = new CommittedTopicReader(kafka, "cli-out")) {
        awaitValues(out, List.of("k=1", "k=2", "g=1"));
      }
      // The egress declares cli-out: the run created it with one partition per subtask before the
      // job started (a topic the broker creates on first write would have its default of 2).
      assertThat(partitions(kafka, "cli-out")).isEqualTo(1);
      first.awaitLine("records in 3", Duration.ofSeconds(60));
      List<ProcessHandle> processes = processTree(first);

      first.interrupt();

      assertThat(first.awaitExit(Duration.ofSeconds(10)))
          .as("exit status within 10 s of SIGINT; output: %s", first.lines())
          .isEqualTo(0);
      assertThat(processes).noneMatch(ProcessHandle::isAlive);
      assertThat(first.lines()).anyMatch(l -> l.contains("Stopped."));
    }

    try (CliProcess second = CliProcess.start(dir, run)) {
      second.awaitLine("Ctrl-C stops", STARTUP);
      assertThat(second.lines()).anyMatch(l -> l.startsWith("Resuming from "));
      send(kafka, "k");
      // A gateway of its own beside the run: `keyflow gateway` on another port.
      int standalonePort = freePort();
      try (CliProcess gateway =
          CliProcess.start(
              dir,
              "gateway",
              "--module",
              module.toString(),
              "--listen",
              "127.0.0.1:" + standalonePort)) {
        gateway.awaitLine("Ctrl-C stops", STARTUP);
        assertThat(sendOverGateway(standalonePort, "g")).isEqualTo(202);
        try (CommittedTopicReader out = new CommittedTopicReader(kafka, "cli-out")) {
          awaitValues(out, List.of("k=1", "k=2", "g=1", "k=3", "g=2"));
        }
        gateway.interrupt();
        assertThat(gateway.awaitExit(Duration.ofSeconds(10))).isEqualTo(0);
      }
      List<String> tailed =
          CliProcess.runToEnd(
              dir,
              Duration.ofMinutes(1),
              "tail",
              "--bootstrap-servers",
              kafka,
              "--topic",
              "cli-out",
              "--from-beginning",
              "--max",
              "5");
      assertThat(tailed)
          .containsExactlyInAnyOrder("k: k=1", "k: k=2", "k: k=3", "g: g=1", "g: g=2");
      assertThat(tailed.stream().filter(l -> l.startsWith("k:")))
          .containsExactly("k: k=1", "k: k=2", "k: k=3");

      second.interrupt();
      assertThat(second.awaitExit(Duration.ofSeconds(10))).isEqualTo(0);
    }
  }

  /** Sends a message to {@code cli/counter/<id>} through a gateway; returns the HTTP status. */
  private static int sendOverGateway(int port, String id) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + port + "/v1/functions/cli/counter/" + id + "/send"))
                .header("X-Keyflow-Type", "keyflow.test/raw")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(id))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String module(String kafka, int gatewayPort) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: cli/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: cli/in
          address: %s
          consumerGroupId: cli-test
          topics:
            - topic: cli-in
              valueType: keyflow.test/raw
              targets:
                - cli/counter
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: cli/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
          topics: [cli-out]
        ---
        kind: io.keyflow.gateway.v1/http
        spec:
          id: cli/gateway
          address: %s
          listen: 127.0.0.1:%d
          requestTopic: cli-calls
          replyTopic: cli-replies
        """
        .formatted(functions.baseUrl(), kafka, kafka, kafka, gatewayPort);
  }

  private void send(String kafka, String key) throws Exception {
    List<String> out =
        CliProcess.runToEnd(
            dir,
            Duration.ofMinutes(1),
            "send",
            "--bootstrap-servers",
            kafka,
            "--topic",
            "cli-in",
            "--key",
            key,
            "x");
    assertThat(out).anyMatch(l -> l.startsWith("sent to cli-in"));
  }

  private static void awaitValues(CommittedTopicReader out, List<String> expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (out.values("k=", "g=").size() < expected.size() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    // Keys k and g may sit in different partitions: the order holds per key only.
    assertThat(out.values("k=")).containsExactlyElementsOf(startingWith(expected, "k="));
    assertThat(out.values("g=")).containsExactlyElementsOf(startingWith(expected, "g="));
  }

  private static List<String> startingWith(List<String> values, String prefix) {
    return values.stream().filter(v -> v.startsWith(prefix)).toList();
  }

  private static int partitions(String kafka, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(30, TimeUnit.SECONDS)
          .get(topic)
          .partitions()
          .size();
    }
  }

  private static List<ProcessHandle> processTree(CliProcess cli) {
    List<ProcessHandle> all = new java.util.ArrayList<>(cli.handle().descendants().toList());
    all.add(cli.handle());
    return all;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
