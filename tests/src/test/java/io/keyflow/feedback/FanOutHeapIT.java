package io.keyflow.feedback;

import static io.keyflow.testing.TestFunctions.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.CollectingEgress;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function fans out a million messages. The build runs this class in a JVM with a 1 GB heap that
 * holds the MiniCluster and the function server: messages that wait in the loop spill to disk, and
 * backlogs live in RocksDB, so the heap does not run out.
 */
class FanOutHeapIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final int IDS = 1_000;
  private static FunctionServer server;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() {
    server =
        FunctionServer.start(
            TestFunctions.of(
                TestFunctions.fanOutSource(IDS, 10_000), TestFunctions.counter("fan", "sink")),
            "127.0.0.1",
            0);
  }

  @AfterAll
  static void stopFunctions() {
    server.close();
  }

  @Test
  void millionMessageFanOutCompletesInASmallHeap() throws Exception {
    long messages = Long.getLong("keyflow.test.fanout", 1_000_000);
    assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(1L << 30);
    String module =
        """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: fan/*
          urlPathTemplate: %s/{function.name}
        """
            .formatted(server.baseUrl());
    Configuration conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofSeconds(2));
    conf.setString("keyflow.feedback.memory", "4 mb");
    CollectingEgress out = CollectingEgress.named("keyflow.test/out", false);
    GeneratedIngress ingress =
        GeneratedIngress.of(1, i -> message("fan", "source", "origin", Long.toString(messages)))
            .lingering();
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < IDS; i++) {
      expected.put("k-" + i, messages / IDS);
    }

    JobClient job = KeyflowTestJob.start(conf, module, ingress, out);
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(6),
          new KeyflowTestJob.Check() {
            long lastLog = System.nanoTime();

            @Override
            public boolean done() {
              if (System.nanoTime() - lastLog > 10_000_000_000L) {
                lastLog = System.nanoTime();
                System.out.println("fan-out progress: " + this);
              }
              return FeedbackLoopIT.converged(out.maxReported(), expected);
            }

            @Override
            public String toString() {
              return "delivered "
                  + out.maxReported().values().stream().mapToLong(Long::longValue).sum()
                  + " of "
                  + messages;
            }
          });
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(out.maxReported()).isEqualTo(expected);
  }
}
