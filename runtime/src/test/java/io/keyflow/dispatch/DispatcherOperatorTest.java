package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dispatcher on Flink's keyed operator harness with RocksDB, against a scripted function on a
 * real HTTP server: how it judges failed calls, batches a long backlog, caps calls per endpoint and
 * restores what waits. Processing time is the harness's, advanced by the test; HTTP runs in real
 * time.
 */
@Timeout(60)
class DispatcherOperatorTest {
  private static final TypeName OUT = TypeName.parse("t/out");
  private static final TypeName DLQ = TypeName.parse("t/dlq");
  private static final OutputTag<TypedValue> OUT_TAG =
      new OutputTag<>("out", new io.keyflow.protocol.ProtobufTypeInfo<>(TypedValue.class));
  private static final OutputTag<TypedValue> DLQ_TAG =
      new OutputTag<>("dlq", new io.keyflow.protocol.ProtobufTypeInfo<>(TypedValue.class));
  private static final Duration WAIT = Duration.ofSeconds(20);

  private ScriptedFunctions functions;
  private final List<KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope>> harnesses =
      new ArrayList<>();
  private long now;

  @BeforeEach
  void startFunctions() throws Exception {
    functions = new ScriptedFunctions();
  }

  /**
   * Lets every harness finish what it has outstanding before closing it: closing runs the
   * operator's finish, which waits for every outstanding request.
   */
  @AfterEach
  void stop() throws Exception {
    try {
      functions.unavailable.set(false);
      functions.batches.clear();
      for (var harness : harnesses) {
        DispatcherOperator operator = (DispatcherOperator) harness.getOperator();
        functions.openAll();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!operator.idle() && System.nanoTime() < deadline) {
          advance(harness, 60_000);
          pumpFor(harness, Duration.ofMillis(20));
        }
        if (operator.idle()) {
          harness.close();
        } else {
          operator.close();
          throw new AssertionError("the dispatcher still had requests outstanding after " + WAIT);
        }
      }
    } finally {
      functions.close();
    }
  }

  @Test
  void aCallThatNeverAnswersWhileOthersAreServedIsDeadLetteredAndItsAddressMovesOn()
      throws Exception {
    var harness = harness(module(3, 0, 2, "400ms"), null);
    warmUp(harness);
    send(harness, "hot", ScriptedFunctions.HANG);
    send(harness, "hot", "after-1");
    // Other addresses are served all the while, so each unanswered call counts against its batch.
    int others = 0;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (harness.getSideOutput(DLQ_TAG) == null) {
      assertThat(System.nanoTime()).as("dead letter within " + WAIT).isLessThan(deadline);
      send(harness, "other-" + others, "v" + others);
      others++;
      pumpFor(harness, Duration.ofMillis(50));
      advance(harness, 1_000);
    }
    send(harness, "hot", "after-2");
    int served = others;
    pumpUntil(harness, () -> values(harness).size() >= served + 2);

    List<DeadLetter> letters = deadLetters(harness);
    assertThat(letters).hasSize(1);
    DeadLetter letter = letters.get(0);
    assertThat(letter.getAddress().getId()).isEqualTo("hot");
    assertThat(letter.getAttempts()).isEqualTo(2);
    assertThat(letter.getMessagesList())
        .extracting(m -> m.getArgument().getValue().toStringUtf8())
        .containsExactly(ScriptedFunctions.HANG);
    assertThat(letter.getError()).contains("budget used up");
    assertThat(values(harness)).contains("after-1", "after-2");
    assertThat(functions.batchesOf("hot").stream().filter(b -> b.contains("hang")).count())
        .as("calls made for the hung message")
        .isEqualTo(2);
  }

  @Test
  void aCallFailingWhileNothingIsServedIsHeldAndDeliveredOnceTheEndpointAnswers() throws Exception {
    var harness = harness(module(3, 0, 1, "400ms"), null);
    warmUp(harness);
    functions.unavailable.set(true);
    send(harness, "a", "1");
    pumpUntil(harness, () -> functions.batchesOf("a").size() >= 2);
    advance(harness, 2_000);
    pumpUntil(harness, () -> functions.batchesOf("a").size() >= 3);

    functions.unavailable.set(false);
    for (int i = 0; i < 10 && values(harness).isEmpty(); i++) {
      advance(harness, 10_000);
      pumpFor(harness, Duration.ofMillis(300));
    }

    assertThat(values(harness)).containsExactly("1");
    assertThat(harness.getSideOutput(DLQ_TAG)).isNull();
  }

  @Test
  void aBacklogBeyondTheBatchLimitGoesOutInBatchesWhileOtherKeysFlow() throws Exception {
    var harness = harness(module(3, 0, 3), null);
    warmUp(harness);
    functions.close("hot");
    send(harness, "hot", "h0");
    for (int i = 1; i <= 10; i++) {
      send(harness, "hot", "h" + i);
      send(harness, "k" + i, "k" + i);
    }
    pumpUntil(harness, () -> values(harness).size() >= 10);
    assertThat(values(harness)).doesNotContain("h0");

    functions.open("hot");
    pumpUntil(harness, () -> values(harness).size() >= 21);

    assertThat(functions.batchesOf("hot"))
        .containsExactly(
            List.of("h0"),
            List.of("h1", "h2", "h3"),
            List.of("h4", "h5", "h6"),
            List.of("h7", "h8", "h9"),
            List.of("h10"));
    assertThat(values(harness).stream().filter(v -> v.startsWith("h")))
        .containsExactlyElementsOf(IntStream.rangeClosed(0, 10).mapToObj(i -> "h" + i).toList());
  }

  @Test
  void batchesCutFromABacklogSurviveARestoreInOrder() throws Exception {
    var first = harness(module(3, 0, 3), null);
    warmUp(first);
    functions.close("hot");
    send(first, "hot", "h0");
    for (int i = 1; i <= 10; i++) {
      send(first, "hot", "h" + i);
    }
    pumpUntil(first, () -> functions.batchesOf("hot").size() == 1);
    // The first batch completes; the backlog is cut into batches of 3 and the next call waits.
    functions.open("hot");
    functions.close("hot");
    pumpUntil(first, () -> functions.batchesOf("hot").size() == 2);
    send(first, "hot", "h11");
    OperatorSubtaskState snapshot = first.snapshot(1, now);
    // The first harness stands for a failed task: it is never pumped again.
    functions.batches.clear();
    functions.open("hot");

    var restored = harness(module(3, 0, 3), snapshot);
    pumpUntil(restored, () -> values(restored).size() >= 11);

    assertThat(functions.batchesOf("hot"))
        .containsExactly(
            List.of("h1", "h2", "h3"),
            List.of("h4", "h5", "h6"),
            List.of("h7", "h8", "h9"),
            List.of("h10"),
            List.of("h11"));
    assertThat(values(restored))
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 11).mapToObj(i -> "h" + i).toList());
  }

  @Test
  void addressesOverAnEndpointsConcurrencyCapWaitWhileInputCarriesOn() throws Exception {
    var harness = harness(module(3, 2, 3), null);
    warmUp(harness);
    for (int i = 0; i < 6; i++) {
      functions.close("k" + i);
    }
    for (int i = 0; i < 6; i++) {
      send(harness, "k" + i, "first-" + i);
      send(harness, "k" + i, "second-" + i);
    }
    pumpUntil(harness, () -> functions.batches.size() >= 2);
    pumpFor(harness, Duration.ofMillis(300));
    assertThat(functions.batches).hasSize(2);

    for (int i = 0; i < 6; i++) {
      functions.open("k" + i);
    }
    pumpUntil(harness, () -> values(harness).size() >= 12);

    assertThat(functions.mostOpenAtOnce()).isLessThanOrEqualTo(2);
    for (int i = 0; i < 6; i++) {
      assertThat(functions.batchesOf("k" + i).stream().flatMap(List::stream))
          .containsExactly("first-" + i, "second-" + i);
    }
  }

  private String module(int maxBatch, int maxConcurrent, int maxAttempts) {
    return module(maxBatch, maxConcurrent, maxAttempts, "10s");
  }

  private String module(int maxBatch, int maxConcurrent, int maxAttempts, String call) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: t/*
          urlPathTemplate: %s
          maxNumBatchRequests: %d
          maxConcurrentRequests: %d
          transport:
            call: %s
            connect: 200ms
          failures:
            maxAttempts: %d
            deadLetter:
              egress: t/dlq
              topic: dlq
        """
        .formatted(functions.urlTemplate(), maxBatch, maxConcurrent, call, maxAttempts);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness(
      String yaml, OperatorSubtaskState restoreFrom) throws Exception {
    Module module = ModuleLoader.parse("module.yaml", yaml);
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope>(
            DispatcherOperatorFactory.create(module, Map.of(OUT, OUT_TAG, DLQ, DLQ_TAG), 1000),
            envelope -> envelope.getTarget().getId(),
            Types.STRING,
            128,
            1,
            0);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harnesses.add(harness);
    if (restoreFrom == null) {
      harness.open();
    } else {
      harness.initializeState(restoreFrom);
      harness.open();
    }
    harness.setProcessingTime(now);
    return harness;
  }

  /**
   * Makes the function type known (its first call learns its values while other addresses wait),
   * then forgets what the warm-up call left behind.
   */
  private void warmUp(KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness)
      throws Exception {
    send(harness, "warm", "warm");
    // The first call in a JVM may outlast a short call budget while the HTTP client's classes
    // load; held as for an outage, it goes again once processing time passes.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      pumpFor(harness, Duration.ofMillis(100));
      if (values(harness).contains("warm")) {
        break;
      }
      assertThat(System.nanoTime()).as("warm-up within " + WAIT).isLessThan(deadline);
      advance(harness, 1_000);
    }
    harness.getSideOutput(OUT_TAG).clear();
    functions.batches.clear();
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      String id,
      String value)
      throws Exception {
    harness.processElement(
        new StreamRecord<>(
            Envelope.newBuilder()
                .setTarget(Address.newBuilder().setNamespace("t").setType("fn").setId(id))
                .setPayload(
                    TypedValue.newBuilder()
                        .setTypename("t/text")
                        .setHasValue(true)
                        .setValue(ByteString.copyFromUtf8(value)))
                .build()));
  }

  private void advance(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness, long millis)
      throws Exception {
    now += millis;
    harness.setProcessingTime(now);
  }

  /** Runs the task thread's mail (HTTP responses, timers) until {@code done} or the deadline. */
  private static void pumpUntil(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      BooleanSupplier done)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      boolean ran = runMail(harness);
      if (done.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      if (!ran) {
        Thread.sleep(2);
      }
    }
  }

  /** Runs the task thread's mail for {@code span}: to show that something does not happen. */
  private static void pumpFor(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness, Duration span)
      throws Exception {
    long end = System.nanoTime() + span.toNanos();
    while (System.nanoTime() < end) {
      if (!runMail(harness)) {
        Thread.sleep(2);
      }
    }
  }

  private static boolean runMail(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness) throws Exception {
    Optional<Mail> mail = harness.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
    if (mail.isPresent()) {
      mail.get().run();
      return true;
    }
    return false;
  }

  private static List<String> values(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness) {
    var out = harness.getSideOutput(OUT_TAG);
    if (out == null) {
      return List.of();
    }
    return out.stream().map(r -> r.getValue().getValue().toStringUtf8()).toList();
  }

  private static List<DeadLetter> deadLetters(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness) throws Exception {
    List<DeadLetter> letters = new ArrayList<>();
    for (StreamRecord<TypedValue> r : harness.getSideOutput(DLQ_TAG)) {
      KafkaProducerRecord record = KafkaProducerRecord.parseFrom(r.getValue().getValue());
      letters.add(DeadLetter.parseFrom(record.getValueBytes()));
    }
    return letters;
  }
}
