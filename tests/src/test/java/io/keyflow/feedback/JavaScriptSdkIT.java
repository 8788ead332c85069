package io.keyflow.feedback;

import static io.keyflow.testing.TestFunctions.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.CollectingEgress;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.NodeFunctionServer;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire protocol is shared, not Java-specific: a ping written with the Java SDK plays with a
 * pong written with the official JavaScript SDK (npm apache-flink-statefun 3.3.0 on Node.js).
 */
class JavaScriptSdkIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static FunctionServer java;
  private static NodeFunctionServer javascript;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws Exception {
    java =
        FunctionServer.start(
            TestFunctions.of(TestFunctions.pingPong("ppjs", true)), "127.0.0.1", 0);
    javascript = NodeFunctionServer.start("pong-server.js", "ppjs");
  }

  @AfterAll
  static void stopFunctions() throws Exception {
    java.close();
    javascript.close();
  }

  @Test
  void javaPingAndJavaScriptPongEndWithExactCountsAfterFailures() throws Exception {
    int pairs = 50;
    int rounds = 20;
    String module =
        """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: ppjs/ping
          urlPathTemplate: %s/statefun/{function.name}
        ---
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: ppjs/pong
          urlPathTemplate: %s/{function.name}
        """
            .formatted(java.baseUrl(), javascript.baseUrl());
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");
    int reports = pairs * (2 * rounds + 1);
    FailurePlan plan =
        FailurePlan.register(
            "js-ping-pong",
            new FailurePlan() {
              @Override
              protected boolean shouldFail(long records, int checkpoints) {
                return failures() < 2
                    && checkpoints > 0
                    && out.size() >= reports * (failures() + 1) / 3;
              }
            });
    GeneratedIngress ingress =
        GeneratedIngress.of(pairs, i -> message("ppjs", "ping", "p-" + i, Integer.toString(rounds)))
            .lingering()
            .failing("js-ping-pong");
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < pairs; i++) {
      expected.put("p-" + i, (long) rounds + 1);
      expected.put("q-" + i, (long) rounds);
    }

    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
            module,
            ingress,
            out);
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(3),
          () -> FeedbackLoopIT.converged(out.maxReported(), expected) && plan.failures() == 2);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(plan.failures()).isEqualTo(2);
    assertThat(out.maxReported()).isEqualTo(expected);
  }
}
