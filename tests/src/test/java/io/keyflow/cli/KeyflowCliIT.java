package io.keyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.CliProcess;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.TestFunctions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/keyflow} as a user runs it: {@code run --module ... --with-kafka} as a process, fed
 * with {@code keyflow send}, read with {@code keyflow tail}, stopped with SIGINT, and run again.
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
    Path module = dir.resolve("module.yaml");
    Files.writeString(module, module(kafka));
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
      first.awaitLine("Ctrl-C stops", STARTUP);
      send(kafka, "k");
      send(kafka, "k");
      try (CommittedTopicReader out = new CommittedTopicReader(kafka, "cli-out")) {
        awaitValues(out, List.of("k=1", "k=2"));
      }
      first.awaitLine("records in 2", Duration.ofSeconds(60));
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
              "3");
      assertThat(tailed).containsExactly("k: k=1", "k: k=2", "k: k=3");

      second.interrupt();
      assertThat(second.awaitExit(Duration.ofSeconds(10))).isEqualTo(0);
    }
  }

  private static String module(String kafka) {
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
        """
        .formatted(functions.baseUrl(), kafka, kafka);
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
    while (out.values("k=").size() < expected.size() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(out.values("k=")).containsExactlyElementsOf(expected);
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
