package io.keyflow.feedback;

import static io.keyflow.testing.TestFunctions.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.job.KeyflowTopology;
import io.keyflow.job.OperatorIds;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.testing.CollectingEgress;
import io.keyflow.testing.Commands;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Messages between functions and delayed messages, exactly once through the feedback loop, on a
 * MiniCluster with RocksDB against real StateFun Java SDK functions served by Undertow.
 */
class FeedbackLoopIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(3);

  private static FunctionServer server;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() {
    server =
        FunctionServer.start(
            TestFunctions.of(
                TestFunctions.pingPong("pp", true),
                TestFunctions.pingPong("pp", false),
                TestFunctions.orderSender(),
                TestFunctions.orderReceiver(),
                Commands.interpreter()),
            "127.0.0.1",
            0);
  }

  @AfterAll
  static void stopFunctions() {
    server.close();
  }

  private String module(String namespace) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: %s/*
          urlPathTemplate: %s/statefun/{function.name}
          transport:
            call: 60s
        """
        .formatted(namespace, server.baseUrl());
  }

  private Configuration conf(int parallelism) {
    return KeyflowTestJob.configuration(checkpoints, parallelism, Duration.ofMillis(300));
  }

  /** Fails the k-th time once the egress holds {@code thresholds[k]} records. */
  private static FailurePlan failWhenEgressReaches(CollectingEgress out, int... thresholds) {
    return new FailurePlan() {
      @Override
      protected boolean shouldFail(long records, int checkpoints) {
        int k = failures();
        return k < thresholds.length && checkpoints > 0 && out.size() >= thresholds[k];
      }
    };
  }

  @ParameterizedTest(name = "parallelism {0}")
  @ValueSource(ints = {2, 3})
  void pingPongAcrossSubtasksEndsWithExactCountsAfterFailures(int parallelism) throws Exception {
    int pairs = 100;
    int rounds = 30;
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");
    int reports = pairs * (2 * rounds + 1);
    FailurePlan plan =
        FailurePlan.register(
            "ping-pong-" + parallelism, failWhenEgressReaches(out, reports / 4, reports / 2));
    GeneratedIngress ingress =
        GeneratedIngress.of(pairs, i -> message("pp", "ping", "p-" + i, Integer.toString(rounds)))
            .lingering()
            .failing("ping-pong-" + parallelism);
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < pairs; i++) {
      expected.put("p-" + i, (long) rounds + 1);
      expected.put("q-" + i, (long) rounds);
    }

    JobClient job = KeyflowTestJob.start(conf(parallelism), module("pp"), ingress, out);
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(3),
          () -> converged(out.maxReported(), expected) && plan.failures() == 2);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(plan.failures()).isEqualTo(2);
    assertThat(out.maxReported()).isEqualTo(expected);
  }

  @Test
  void randomizedCommandTreesConvergeToExactCountsDespiteFailures() throws Exception {
    long seed = Long.getLong("keyflow.test.seed", 20261128L);
    int instances = 1_000;
    int trees = 100_000;
    Commands commands = new Commands(instances, 3, 20);
    Map<String, Long> expected = commands.expectedCounts(seed, trees);
    java.util.Random random = new java.util.Random(seed);
    FailurePlan plan =
        FailurePlan.register(
            "random",
            new FailurePlan() {
              final long[] after = {
                1_000 + random.nextInt(5_000),
                1_000 + random.nextInt(5_000),
                1_000 + random.nextInt(5_000)
              };

              @Override
              protected boolean shouldFail(long records, int checkpoints) {
                int k = failures();
                return k < after.length && checkpoints > 0 && records >= after[k];
              }
            });
    GeneratedIngress ingress =
        GeneratedIngress.of(trees, i -> commands.message(seed, i))
            .throttled(5_000)
            .lingering()
            .failing("random");
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    JobClient job = KeyflowTestJob.start(conf(2), module(Commands.NAMESPACE), ingress, out);
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(8),
          () -> converged(out.maxReported(), expected) && plan.failures() == 3);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(plan.failures()).as("injected failures (seed %d)", seed).isEqualTo(3);
    assertThat(out.maxReported()).as("counts (seed %d)", seed).isEqualTo(expected);
  }

  @Test
  void stopWithSavepointThenRestoreAtParallelismOneAndThreeKeepsCountsExact() throws Exception {
    long seed = 7;
    int instances = 200;
    int trees = 6_000;
    // Delays up to 1.5 s and a throttled ingress: at each savepoint, messages are inside the
    // loop and delayed messages are pending.
    Commands commands = new Commands(instances, 3, 1_500);
    Map<String, Long> expected = commands.expectedCounts(seed, trees);
    GeneratedIngress ingress =
        GeneratedIngress.of(trees, i -> commands.message(seed, i)).throttled(600).lingering();
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");
    long total = expected.values().stream().mapToLong(Long::longValue).sum();

    String first = runUntilThenSavepoint(conf(2), null, ingress, out, expected, total / 4);
    String second = runUntilThenSavepoint(conf(1), first, ingress, out, expected, total / 2);
    Configuration last = conf(3);
    last.setString("execution.state-recovery.path", second);
    JobClient job = KeyflowTestJob.start(last, module(Commands.NAMESPACE), ingress, out);
    try {
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(4), () -> converged(out.maxReported(), expected));
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(out.maxReported()).isEqualTo(expected);
  }

  @Test
  void aSavepointOfTheKeyedHeadLayoutRestoresIntoTheCurrentOneAtAnotherParallelism()
      throws Exception {
    long seed = 11;
    Commands commands = new Commands(200, 3, 1_500);
    int trees = 4_000;
    Map<String, Long> expected = commands.expectedCounts(seed, trees);
    GeneratedIngress ingress =
        GeneratedIngress.of(trees, i -> commands.message(seed, i)).throttled(600).lingering();
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");
    long total = expected.values().stream().mapToLong(Long::longValue).sum();
    KeyedHeadOfEarlierVersions.LOGGED.clear();

    // No periodic checkpoint: every log the keyed head writes belongs to a savepoint.
    JobClient old =
        startWithKeyedHead(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofHours(1)), ingress, out);
    String savepoint = null;
    long logged = 0;
    try {
      KeyflowTestJob.awaitWhileRunning(
          old,
          Duration.ofMinutes(2),
          () -> {
            converged(out.maxReported(), expected);
            return out.maxReported().values().stream().mapToLong(Long::longValue).sum()
                >= total / 4;
          });
      // Until a savepoint finds messages inside the loop, so that its log is not empty.
      for (int attempt = 0; attempt < 20 && logged == 0; attempt++) {
        savepoint =
            old.triggerSavepoint(
                    checkpoints.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        long last =
            KeyedHeadOfEarlierVersions.LOGGED.keySet().stream()
                .mapToLong(Long::longValue)
                .max()
                .orElseThrow();
        logged = KeyedHeadOfEarlierVersions.LOGGED.get(last).get();
      }
    } finally {
      KeyflowTestJob.cancel(old);
    }
    assertThat(logged).as("messages inside the loop at the keyed head's savepoint").isPositive();

    Configuration conf = conf(3);
    conf.setString("execution.state-recovery.path", savepoint);
    JobClient job = KeyflowTestJob.start(conf, module(Commands.NAMESPACE), ingress, out);
    try {
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(4), () -> converged(out.maxReported(), expected));
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(out.maxReported()).isEqualTo(expected);
  }

  /**
   * Starts the job as Keyflow built it while the feedback head was keyed: the same operators and
   * UIDs, with the head keyed by target and writing the loop's log into its own raw keyed state.
   */
  private JobClient startWithKeyedHead(
      Configuration conf, GeneratedIngress ingress, CollectingEgress out) throws Exception {
    Module parsed = ModuleLoader.parse("module.yaml", module(Commands.NAMESPACE));
    Module module =
        new Module(parsed.source(), parsed.endpoints(), List.of(ingress), List.of(out), List.of());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    KeyflowTopology.build(env, module, conf);
    for (Transformation<?> transformation : env.getTransformations()) {
      if (OperatorIds.HEAD_UID.equals(transformation.getUid())) {
        @SuppressWarnings("unchecked")
        var head = (OneInputTransformation<Envelope, Envelope>) transformation;
        KeySelector<Envelope, String> byTarget = envelope -> envelope.getTarget().getId();
        head.setStateKeySelector(byTarget);
        head.setStateKeyType(Types.STRING);
      }
    }
    StreamGraph graph = env.getStreamGraph();
    for (StreamNode node : graph.getStreamNodes()) {
      if (OperatorIds.HEAD_UID.equals(node.getTransformationUID())) {
        node.setOperatorFactory(KeyedHeadOfEarlierVersions.factory(32L << 20));
      }
    }
    return env.executeAsync(graph);
  }

  /** Runs from {@code savepoint} (if any) until the counts add up to {@code progress}. */
  private String runUntilThenSavepoint(
      Configuration conf,
      String savepoint,
      GeneratedIngress ingress,
      CollectingEgress out,
      Map<String, Long> expected,
      long progress)
      throws Exception {
    if (savepoint != null) {
      conf.setString("execution.state-recovery.path", savepoint);
    }
    JobClient job = KeyflowTestJob.start(conf, module(Commands.NAMESPACE), ingress, out);
    KeyflowTestJob.awaitWhileRunning(
        job,
        Duration.ofMinutes(2),
        () -> {
          converged(out.maxReported(), expected);
          return out.maxReported().values().stream().mapToLong(Long::longValue).sum() >= progress;
        });
    String path =
        job.stopWithSavepoint(
                false,
                checkpoints.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL)
            .get(2, TimeUnit.MINUTES);
    job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
    return path;
  }

  @Test
  void messagesBetweenTwoAddressesArriveInTheOrderSent() throws Exception {
    int senders = 20;
    int perSender = 200;
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");
    GeneratedIngress ingress =
        GeneratedIngress.of(
                senders, i -> message("order", "sender", "s" + i, Integer.toString(perSender)))
            .lingering();
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < senders; i++) {
      expected.put("r-s" + i, (long) perSender);
    }

    JobClient job = KeyflowTestJob.start(conf(2), module("order"), ingress, out);
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(2),
          () -> {
            Map<String, Long> seen = out.maxReported();
            return expected.keySet().stream().allMatch(id -> seen.containsKey(id))
                && converged(seen, expected);
          });
    } finally {
      KeyflowTestJob.cancel(job);
    }
    // A -1 report would mean a message arrived out of order; max() hides it, so look at all.
    assertThat(out.records().stream().map(TestFunctions::report).map(r -> r[1]))
        .doesNotContain("-1");
  }

  /**
   * True once every expected count is reached; throws at once on any count above expectation, which
   * would be an effect applied twice.
   */
  static boolean converged(Map<String, Long> actual, Map<String, Long> expected) {
    for (Map.Entry<String, Long> e : actual.entrySet()) {
      long want = expected.getOrDefault(e.getKey(), 0L);
      if (e.getValue() > want) {
        throw new AssertionError(
            "over-count: " + e.getKey() + " reached " + e.getValue() + ", expected " + want);
      }
    }
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      if (actual.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
