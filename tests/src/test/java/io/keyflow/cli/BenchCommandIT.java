package io.keyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.testing.CliProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyflow bench} on a small backlog and a short live trickle, as a process: both workloads
 * run, their outputs are checked exactly, and the figures land in the JSON file. (Speed is what the
 * command reports, not what this test asserts.)
 */
class BenchCommandIT {
  @TempDir Path dir;

  @Test
  void benchRunsEveryWorkloadAndReportsCorrectOutput() throws Exception {
    Path results = dir.resolve("results.json");

    List<String> out =
        CliProcess.runToEnd(
            dir,
            Duration.ofMinutes(8),
            "bench",
            "--records",
            "3000",
            "--keys",
            "100",
            "--parallelism",
            "2",
            "--checkpoint-interval",
            "200 ms",
            "--live-rate",
            "200",
            "--live-seconds",
            "1",
            "--warmup",
            "2000",
            "--workload",
            "counter,forward,gateway",
            "--gateway-calls",
            "200",
            "--gateway-concurrency",
            "20",
            "--state-dir",
            dir.resolve("state").toString(),
            "--output",
            results.toString());

    assertThat(out)
        .contains(
            "warming up counter with 2,000 records and 1 s of live load ...",
            "warming up forward with 2,000 records and 1 s of live load ...");
    assertThat(out).anyMatch(l -> l.startsWith("counter") && l.endsWith("yes"));
    assertThat(out).anyMatch(l -> l.startsWith("forward") && l.endsWith("yes"));
    JsonNode report = new ObjectMapper().readTree(results.toFile());
    assertThat(report.path("results")).hasSize(2);
    for (JsonNode result : report.path("results")) {
      assertThat(result.path("correct").asBoolean()).isTrue();
      assertThat(result.path("records").asLong()).isEqualTo(3000);
      assertThat(result.path("recordsPerSecond").asDouble()).isPositive();
      assertThat(result.path("keyflowCpuMicrosPerRecord").asDouble()).isPositive();
      assertThat(result.path("functionsCpuMicrosPerRecord").asDouble()).isPositive();
      assertThat(result.path("invocationsPerRequest").asDouble()).isGreaterThanOrEqualTo(1.0);
      assertThat(result.path("liveRecords").asLong()).isEqualTo(200);
      // Three checkpoint intervals, but at least 2 s.
      assertThat(result.path("liveSettlingSeconds").asLong()).isEqualTo(2);
      assertThat(result.path("emittedP99ByWindowMillis")).hasSize(1);
      assertThat(result.path("emittedP99ByWindowMillis").get(0).asDouble())
          .isEqualTo(result.path("emittedP99Millis").asDouble());
      assertThat(result.path("visibleP50Millis").asDouble())
          .isGreaterThanOrEqualTo(result.path("emittedP50Millis").asDouble())
          .isPositive();
      JsonNode ceiling = result.path("ceiling");
      assertThat(ceiling.path("batch").asInt()).isPositive();
      assertThat(ceiling.path("concurrency").asInt()).isPositive();
      assertThat(ceiling.path("recordsPerSecond").asDouble()).isPositive();
      assertThat(ceiling.path("invocationsPerRequest").asDouble())
          .isBetween(1.0, ceiling.path("batch").asDouble());
      assertThat(ceiling.path("functionsCpuMicrosPerRecord").asDouble()).isPositive();
    }
    assertThat(out).filteredOn(l -> l.startsWith("  ceiling: ")).hasSizeGreaterThanOrEqualTo(2);
    JsonNode gateway = report.path("gateway");
    assertThat(gateway).hasSize(2);
    assertThat(gateway.get(0).path("replies").asText()).isEqualTo("exactly-once");
    assertThat(gateway.get(1).path("replies").asText()).isEqualTo("at-least-once");
    for (JsonNode calls : gateway) {
      assertThat(calls.path("correct").asBoolean()).as(calls.toString()).isTrue();
      assertThat(calls.path("calls").asLong()).isEqualTo(200);
      assertThat(calls.path("callsPerSecond").asDouble()).isPositive();
      assertThat(calls.path("p99Millis").asDouble())
          .isGreaterThanOrEqualTo(calls.path("p50Millis").asDouble())
          .isPositive();
    }
    assertThat(out)
        .anyMatch(l -> l.startsWith("gateway, exactly-once replies") && l.endsWith("yes"));
  }

  @Test
  void openLoopGatewayReportsTailPercentilesAndWhereTheCheckpointsSpentTheirTime()
      throws Exception {
    Path results = dir.resolve("open-loop.json");

    List<String> out =
        CliProcess.runToEnd(
            dir,
            Duration.ofMinutes(6),
            "bench",
            "--keys",
            "20",
            "--parallelism",
            "2",
            "--checkpoint-interval",
            "200 ms",
            "--warmup",
            "0",
            "--workload",
            "gateway",
            "--gateway-rate",
            "50",
            "--gateway-calls",
            "150",
            "--gateway-concurrency",
            "4",
            "--checkpoint-breakdown",
            "--state-dir",
            dir.resolve("state-open").toString(),
            "--output",
            results.toString());

    JsonNode gateway = new ObjectMapper().readTree(results.toFile()).path("gateway");
    assertThat(gateway).hasSize(2);
    for (JsonNode calls : gateway) {
      assertThat(calls.path("arrivals").asText()).isEqualTo("open");
      assertThat(calls.path("targetCallsPerSecond").asDouble()).isEqualTo(50.0);
      assertThat(calls.path("correct").asBoolean()).as(calls.toString()).isTrue();
      assertThat(calls.path("errors").asLong()).isZero();
      assertThat(calls.path("callsPerSecond").asDouble()).isPositive();
      assertThat(calls.path("p999Millis").asDouble())
          .isGreaterThanOrEqualTo(calls.path("p99Millis").asDouble())
          .isGreaterThanOrEqualTo(calls.path("p50Millis").asDouble())
          .isPositive();
      JsonNode checkpoints = calls.path("checkpoints");
      assertThat(checkpoints.path("checkpoints").asInt()).as(calls.toString()).isPositive();
      assertThat(checkpoints.path("endToEndMillis").path("p50").asDouble()).isPositive();
      assertThat(checkpoints.path("vertices")).isNotEmpty();
      assertThat(checkpoints.path("vertices"))
          .allMatch(v -> !v.path("vertex").asText().isEmpty())
          .anyMatch(v -> v.path("ackMillis").path("max").asDouble() > 0);
    }
    // Exactly-once replies wait for a checkpoint's commit; the breakdown says how long after it.
    assertThat(
            gateway.get(0).path("checkpoints").path("lastAckToReplyMillis").path("p50").asDouble())
        .isPositive();
    assertThat(gateway.get(1).path("checkpoints").path("lastAckToReplyMillis").isNull()).isTrue();
    assertThat(out)
        .anyMatch(l -> l.startsWith("gateway, exactly-once replies: 150 calls due at 50/s"))
        .anyMatch(l -> l.contains("last acknowledgement to reply at the caller"));
  }
}
