package io.keyflow.dispatch;

import static io.keyflow.testing.TestFunctions.maxCounts;
import static io.keyflow.testing.TestFunctions.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.CollectingEgress;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.ObservedHandler;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher against real functions written with the StateFun Java SDK and served by Undertow,
 * on a MiniCluster with RocksDB at parallelism 2.
 */
class RemoteFunctionsIT {
  private static final int PARALLELISM = 2;

  @RegisterExtension
  static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(PARALLELISM);

  private static ObservedHandler functions;
  private static FunctionServer server;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() {
    functions =
        new ObservedHandler(
            TestFunctions.of(
                    TestFunctions.counter("count", "counter"),
                    TestFunctions.counter("piped", "counter"),
                    TestFunctions.counter("slow", "counter"),
                    TestFunctions.counter("flaky", "counter"),
                    TestFunctions.counter("hold", "counter"),
                    TestFunctions.counter("bounded", "counter"),
                    TestFunctions.strayEgressCounter("stray", "counter"),
                    TestFunctions.messagesAGhost("haunted", "counter"),
                    TestFunctions.negativeDelay("impatient", "counter"),
                    TestFunctions.remembering("ttl", "short", Duration.ofMillis(300)),
                    TestFunctions.remembering("ttl", "long", Duration.ofMinutes(5)))
                .requestReplyHandler());
    server = FunctionServer.start(functions, "127.0.0.1", 0);
  }

  @AfterAll
  static void stopFunctions() {
    server.close();
  }

  private String module(String namespace) {
    return module(namespace, 1000);
  }

  private String module(String namespace, int maxNumBatchRequests) {
    return module(namespace, maxNumBatchRequests, 1);
  }

  private String module(String namespace, int maxNumBatchRequests, int pipelining) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: %s/*
          urlPathTemplate: %s/statefun/{function.name}
          maxNumBatchRequests: %d
          transport:
            call: 60s
            pipelining: %d
        """
        .formatted(namespace, server.baseUrl(), maxNumBatchRequests, pipelining);
  }

  private Configuration conf() {
    return KeyflowTestJob.configuration(checkpoints, PARALLELISM, Duration.ofMillis(300));
  }

  @Test
  void countsAreExactAfterTwoInjectedFailures() throws Exception {
    int ids = 1_000;
    int messages = 100_000;
    FailurePlan plan = FailurePlan.register("counter", FailurePlan.times(2, 2_000));
    // Throttled so that the run outlasts two restarts: each failure needs a checkpoint first.
    GeneratedIngress ingress =
        GeneratedIngress.of(messages, i -> message("count", "counter", "id-" + (i % ids), "m" + i))
            .throttled(20_000)
            .failing("counter");
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(conf(), module("count"), ingress, out, Duration.ofMinutes(5));

    assertThat(plan.failures()).isEqualTo(2);
    Map<String, Long> counts = maxCounts(out.records());
    Map<String, Long> expected =
        IntStream.range(0, ids)
            .boxed()
            .collect(Collectors.toMap(i -> "id-" + i, i -> (long) (messages / ids)));
    assertThat(counts).isEqualTo(expected);
  }

  @Test
  void pipelinedCallsToAnSdkServerKeepCountsExactThroughAFailure() throws Exception {
    int ids = 1_000;
    int messages = 50_000;
    FailurePlan plan = FailurePlan.register("piped", FailurePlan.times(1, 2_000));
    GeneratedIngress ingress =
        GeneratedIngress.of(messages, i -> message("piped", "counter", "id-" + (i % ids), "m" + i))
            .throttled(20_000)
            .failing("piped");
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(conf(), module("piped", 1000, 16), ingress, out, Duration.ofMinutes(5));

    assertThat(plan.failures()).isEqualTo(1);
    Map<String, Long> counts = maxCounts(out.records());
    assertThat(counts).hasSize(ids);
    assertThat(counts.values()).containsOnly((long) (messages / ids));
  }

  @Test
  void slowFunctionReceivesBatchesAndCountsStayExact() throws Exception {
    functions.delay("slow/counter", 200);
    int ids = 10;
    int messages = 2_000;
    GeneratedIngress ingress =
        GeneratedIngress.of(messages, i -> message("slow", "counter", "s" + (i % ids), "m" + i));
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(conf(), module("slow"), ingress, out, Duration.ofMinutes(3));

    ObservedHandler.Observed seen = functions.observed("slow/counter");
    assertThat(seen.maxBatch.get()).isGreaterThan(1);
    // Far fewer requests than messages: the 200 ms calls carried batches.
    assertThat(seen.requests.get()).isLessThan(messages / 4);
    assertThat(maxCounts(out.records()))
        .hasSize(ids)
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(messages / ids));
  }

  @Test
  void oneRequestPerAddressAndBacklogBoundedByMaxNumBatchRequests() throws Exception {
    functions.delay("bounded/counter", 50);
    int ids = 4;
    int messages = 600;
    GeneratedIngress ingress =
        GeneratedIngress.of(messages, i -> message("bounded", "counter", "b" + (i % ids), "m" + i));
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(conf(), module("bounded", 5), ingress, out, Duration.ofMinutes(3));

    ObservedHandler.Observed seen = functions.observed("bounded/counter");
    assertThat(seen.maxConcurrentPerAddress.get()).isEqualTo(1);
    assertThat(seen.maxBatch.get()).isBetween(2, 5);
    assertThat(maxCounts(out.records()))
        .hasSize(ids)
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(messages / ids));
  }

  @Test
  void failedCallsAreRetriedWithoutLoss() throws Exception {
    functions.failFirst("flaky/counter", 5);
    int ids = 20;
    int messages = 400;
    GeneratedIngress ingress =
        GeneratedIngress.of(messages, i -> message("flaky", "counter", "f" + (i % ids), "m" + i));
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(conf(), module("flaky"), ingress, out, Duration.ofMinutes(3));

    assertThat(functions.observed("flaky/counter").failedOnPurpose.get()).isEqualTo(5);
    assertThat(maxCounts(out.records()))
        .hasSize(ids)
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(messages / ids));
    assertThat(functions.observed("flaky/counter").deliveries)
        .hasSize(messages)
        .allSatisfy((payload, times) -> assertThat(times).isEqualTo(1));
  }

  @Test
  void requestInFlightAtFailureIsResentAfterRestore() throws Exception {
    // The first request for id "held" is not answered until a checkpoint that started after the
    // function received it has completed; then the job fails. Only the in-flight request saved
    // in that checkpoint can bring message m0 back to the function.
    FailurePlan plan =
        FailurePlan.register(
            "hold",
            new FailurePlan() {
              volatile long checkpointAtHold = Long.MAX_VALUE;

              @Override
              protected boolean shouldFail(long records, int checkpoints) {
                long sawHold = HeldRequest.checkpointWhenHeld;
                return failures() == 0 && sawHold >= 0 && lastCompletedCheckpoint() >= sawHold + 2;
              }
            });
    HeldRequest.checkpointWhenHeld = -1;
    functions.hold(
        "hold/counter",
        request -> {
          // The values handshake (a request without state) passes; the invocation is held.
          if (!request.getTarget().getId().equals("held")
              || request.getStateCount() == 0
              || plan.failures() > 0) {
            return false;
          }
          if (HeldRequest.checkpointWhenHeld < 0) {
            HeldRequest.checkpointWhenHeld = Math.max(0, plan.lastCompletedCheckpoint());
          }
          return true;
        });
    int messages = 60;
    GeneratedIngress ingress =
        GeneratedIngress.of(
                messages,
                i -> message("hold", "counter", i == 0 ? "held" : "other-" + (i % 5), "m" + i))
            .throttled(10)
            .withParallelism(1)
            .failing("hold");
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(conf(), module("hold"), ingress, out, Duration.ofMinutes(3));

    assertThat(plan.failures()).isEqualTo(1);
    assertThat(functions.observed("hold/counter").deliveries.get("m0"))
        .as("m0 was delivered, then re-sent from the restored checkpoint")
        .isEqualTo(2);
    Map<String, Long> counts = maxCounts(out.records());
    assertThat(counts.get("held")).isEqualTo(1L);
    assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(messages);
  }

  @Test
  void expiredValuesAreGoneAfterTheirTtl() throws Exception {
    // One message a second, alternating: each id sees a message every two seconds, far longer than
    // the 300 ms TTL of ttl/short (so a loaded machine that delays one message by a second or so
    // still cannot bring two within it) and far shorter than the 5 min TTL of ttl/long.
    int messages = 8;
    GeneratedIngress ingress =
        GeneratedIngress.of(
                messages,
                i -> message("ttl", i % 2 == 0 ? "short" : "long", i % 2 == 0 ? "s" : "l", "m" + i))
            .throttled(1)
            .withParallelism(1);
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(conf(), module("ttl"), ingress, out, Duration.ofMinutes(2));

    Map<String, java.util.List<String>> seen =
        out.records().stream()
            .map(TestFunctions::report)
            .collect(
                Collectors.groupingBy(
                    r -> r[0], Collectors.mapping(r -> r[1], Collectors.toList())));
    assertThat(seen.get("s")).containsExactly("false", "false", "false", "false");
    assertThat(seen.get("l")).containsExactly("false", "true", "true", "true");
  }

  @Test
  void recordsToAnUndeclaredEgressAreSkippedAndTheJobCarriesOn() throws Exception {
    int ids = 10;
    int messages = 200;
    GeneratedIngress ingress =
        GeneratedIngress.of(messages, i -> message("stray", "counter", "s" + (i % ids), "m" + i));
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(conf(), module("stray"), ingress, out, Duration.ofMinutes(2));

    assertThat(maxCounts(out.records()))
        .hasSize(ids)
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(messages / ids));
  }

  @Test
  void messagesToAnUnboundFunctionTypeBecomeDeadLettersAndTheJobCarriesOn() throws Exception {
    int ids = 5;
    int messages = 50;
    GeneratedIngress ingress =
        GeneratedIngress.of(messages, i -> message("haunted", "counter", "h" + (i % ids), "m" + i));
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");
    String module =
        module("haunted")
            + """
              failures:
                deadLetter:
                  egress: keyflow.test/out
                  topic: ghost-letters
            """;

    KeyflowTestJob.run(conf(), module, ingress, out, Duration.ofMinutes(2));

    List<io.keyflow.protocol.reqreply.TypedValue> reports =
        out.records().stream()
            .filter(r -> r.getTypename().equals(TestFunctions.STRING_TYPE))
            .toList();
    assertThat(maxCounts(reports))
        .hasSize(ids)
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(messages / ids));
    List<io.keyflow.protocol.deadletter.DeadLetter> letters = new java.util.ArrayList<>();
    for (io.keyflow.protocol.reqreply.TypedValue record : out.records()) {
      if (record.getTypename().endsWith("KafkaProducerRecord")) {
        var kafka = io.keyflow.protocol.egress.KafkaProducerRecord.parseFrom(record.getValue());
        assertThat(kafka.getTopic()).isEqualTo("ghost-letters");
        letters.add(io.keyflow.protocol.deadletter.DeadLetter.parseFrom(kafka.getValueBytes()));
      }
    }
    assertThat(letters).hasSize(messages);
    assertThat(letters)
        .allSatisfy(
            letter -> {
              assertThat(letter.getAddress().getNamespace()).isEqualTo("ghost");
              assertThat(letter.getError()).contains("no endpoint serves function type ghost/fn");
              assertThat(letter.getMessages(0).getCaller().getNamespace()).isEqualTo("haunted");
              assertThat(letter.getMessages(0).getCaller().getId())
                  .isEqualTo(letter.getAddress().getId());
            });
  }

  @Test
  void aNegativeDelayDeliversAtOnceInsteadOfFailing() throws Exception {
    int ids = 5;
    // The ingress lingers: delayed messages need the job running when they fall due.
    GeneratedIngress ingress =
        GeneratedIngress.of(ids, i -> message("impatient", "counter", "n" + i, "first"))
            .lingering();
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");
    var job =
        KeyflowTestJob.start(conf(), module("impatient"), java.util.List.of(ingress), List.of(out));
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(1),
          () -> maxCounts(out.records()).values().stream().filter(c -> c == 2).count() == ids);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(maxCounts(out.records()))
        .hasSize(ids)
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(2L));
  }

  /** Shared between the hold condition (function server) and the failure plan (Flink task). */
  static final class HeldRequest {
    static volatile long checkpointWhenHeld = -1;
  }
}
