package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.io.Replies;
import io.keyflow.module.ModuleLoader;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.control.ControlAnswer;
import io.keyflow.protocol.control.ControlRequest;
import io.keyflow.protocol.control.ControlRequest.Action;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.gateway.GatewayReply;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pause, resume, skip, inspection and deletion of one address on the dispatcher, on Flink's keyed
 * operator harness with RocksDB against a scripted function on a real HTTP server; the requests
 * arrive as the gateway's ingress makes them and the answers leave on the reply egress.
 */
@Timeout(60)
class AddressControlTest {
  private static final TypeName OUT = TypeName.parse("t/out");
  private static final TypeName DLQ = TypeName.parse("t/dlq");
  private static final OutputTag<TypedValue> OUT_TAG = tag("out");
  private static final OutputTag<TypedValue> DLQ_TAG = tag("dlq");
  private static final OutputTag<TypedValue> REPLY_TAG = tag("reply");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MAX_PARALLELISM = 128;

  private ScriptedFunctions functions;
  private final List<KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope>> harnesses =
      new ArrayList<>();
  private int requests;

  @BeforeEach
  void startFunctions() throws Exception {
    functions = new ScriptedFunctions();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      functions.openAll();
      for (var harness : harnesses) {
        DispatcherOperator operator = (DispatcherOperator) harness.getOperator();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!operator.idle() && System.nanoTime() < deadline) {
          if (!runMail(harness)) {
            Thread.sleep(2);
          }
        }
        if (operator.idle()) {
          harness.close();
        } else {
          operator.close();
        }
      }
    } finally {
      functions.close();
    }
  }

  @Test
  void aPausedAddressHoldsItsMessagesThroughARestoreAndResumeSendsThemInOrder() throws Exception {
    var first = harness(null);
    assertThat(control(first, "p", Action.PAUSE).getOutcome()).startsWith("paused");
    send(first, "p", "p1");
    send(first, "p", "p2");
    send(first, "other", "o1");
    pumpUntil(first, () -> values(first).contains("o1"));
    assertThat(functions.batchesOf("p")).as("nothing reaches a paused address").isEmpty();
    ControlAnswer inspected = control(first, "p", Action.INSPECT);
    assertThat(inspected.getAddress().getPaused()).isTrue();
    assertThat(inspected.getAddress().getBacklog()).isEqualTo(2);
    assertThat(inspected.getAddress().getOldestWaiting().getArgument().getValue().toStringUtf8())
        .isEqualTo("p1");

    OperatorSubtaskState snapshot = first.snapshot(1, 0);
    var restored = harness(snapshot);
    send(restored, "p", "p3");
    send(restored, "other", "o2");
    pumpUntil(restored, () -> values(restored).contains("o2"));
    assertThat(functions.batchesOf("p")).as("still paused after the restore").isEmpty();

    ControlAnswer resumed = control(restored, "p", Action.RESUME);
    assertThat(resumed.getOutcome()).contains("the 3 waiting message(s) go out in order");
    pumpUntil(
        restored, () -> values(restored).stream().filter(v -> v.startsWith("p")).count() == 3);
    assertThat(values(restored).stream().filter(v -> v.startsWith("p")))
        .containsExactly("p1", "p2", "p3");
  }

  @Test
  void skippingARequestInFlightDeadLettersItSendsTheNextAndDropsItsLateAnswer() throws Exception {
    var harness = harness(null);
    send(harness, "warm", "warm");
    pumpUntil(harness, () -> values(harness).contains("warm"));
    functions.close("h");
    send(harness, "h", "stuck");
    pumpUntil(harness, () -> functions.batchesOf("h").size() == 1);
    send(harness, "h", "next");

    ControlAnswer skipped = control(harness, "h", Action.SKIP);
    assertThat(skipped.getOutcome()).contains("skipped the request in flight (1 message(s))");
    List<DeadLetter> letters = deadLetters(harness);
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).getMessages(0).getArgument().getValue().toStringUtf8())
        .isEqualTo("stuck");
    assertThat(letters.get(0).getError()).contains("skipped by an operator (test)");

    pumpUntil(harness, () -> functions.batchesOf("h").size() == 2);
    functions.open("h");
    pumpUntil(harness, () -> values(harness).contains("next"));
    pumpUntil(harness, () -> ((DispatcherOperator) harness.getOperator()).idle());
    assertThat(values(harness))
        .as("the skipped request's late answer is dropped")
        .doesNotContain("stuck");
  }

  @Test
  void valuesAreShownAndDeletedAfterARestoreAtAnotherParallelismBeforeAnyCall() throws Exception {
    var first = harness(null);
    List<String> ids = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
    for (String id : ids) {
      send(first, keeper(id), "v-" + id);
    }
    pumpUntil(first, () -> values(first).size() == ids.size());
    assertThat(lastOf(control(first, keeper("k0"), Action.INSPECT))).isEqualTo("v-k0");
    OperatorSubtaskState snapshot = first.snapshot(1, 0);
    int callsBefore = functions.batches.size();

    java.util.Set<Integer> owners = new java.util.HashSet<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      var rescaled =
          harness(
              AbstractStreamOperatorTestHarness.repartitionOperatorState(
                  snapshot, MAX_PARALLELISM, 1, 2, subtask),
              2,
              subtask);
      for (String id : ids) {
        if (KeyGroupRangeAssignment.assignKeyToParallelOperator(id, MAX_PARALLELISM, 2)
            != subtask) {
          continue;
        }
        owners.add(subtask);
        var report = control(rescaled, keeper(id), Action.INSPECT).getAddress();
        assertThat(report.getValuesKnown()).as("values of %s known", id).isTrue();
        assertThat(report.getValuesFromCheckpoint()).isTrue();
        assertThat(report.getValues(0).getExpireMode()).isEqualTo("AFTER_WRITE");
        assertThat(report.getValues(0).getExpireAfterMillis()).isEqualTo(3_600_000);
        assertThat(report.getValues(0).getValue().toStringUtf8()).isEqualTo("v-" + id);
      }
      String deleted =
          ids.stream()
              .filter(
                  id ->
                      KeyGroupRangeAssignment.assignKeyToParallelOperator(id, MAX_PARALLELISM, 2)
                          == 0)
              .findFirst()
              .orElseThrow();
      if (subtask == 0) {
        ControlAnswer answer = control(rescaled, keeper(deleted), Action.DELETE_STATE);
        assertThat(answer.getOutcome()).isEqualTo("deleted the values last");
        assertThat(answer.getAddress().getValues(0).hasValue()).isFalse();
      }
    }
    assertThat(owners).as("the ids spread over both subtasks").containsExactly(0, 1);
    assertThat(functions.batches).as("no function was called").hasSize(callsBefore);
  }

  @Test
  void aSnapshotWithoutLearnedValuesRestoresAndTheFirstCallTeachesThem() throws Exception {
    var first = harness(null);
    send(first, "warm", "warm");
    pumpUntil(first, () -> values(first).contains("warm"));
    var restored = harness(first.snapshot(1, 0));

    ControlAnswer refused = control(restored, keeper("x"), Action.DELETE_STATE);
    assertThat(refused.getError()).contains("values of t/keeper are not known on this subtask");
    send(restored, keeper("x"), "v-x");
    pumpUntil(restored, () -> values(restored).contains("v-x"));
    var report = control(restored, keeper("x"), Action.INSPECT).getAddress();
    assertThat(report.getValuesKnown()).isTrue();
    assertThat(report.getValuesFromCheckpoint()).isFalse();
    assertThat(report.getValues(0).getValue().toStringUtf8()).isEqualTo("v-x");
  }

  @Test
  void skipOfTheOldestWaitingMessageLeavesTheRequestInFlightToComplete() throws Exception {
    var harness = harness(null);
    send(harness, "warm", "warm");
    pumpUntil(harness, () -> values(harness).contains("warm"));
    functions.close("w");
    send(harness, "w", "w1");
    pumpUntil(harness, () -> functions.batchesOf("w").size() == 1);
    send(harness, "w", "w2");
    send(harness, "w", "w3");

    ControlAnswer skipped = control(harness, "w", Action.SKIP, true);
    assertThat(skipped.getOutcome())
        .contains("skipped the oldest waiting message")
        .contains("the request in flight goes on");
    assertThat(skipped.getAddress().getBacklog()).isEqualTo(1);
    assertThat(skipped.getAddress().getInFlight().getMessages()).isEqualTo(1);
    List<DeadLetter> letters = deadLetters(harness);
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).getMessages(0).getArgument().getValue().toStringUtf8())
        .isEqualTo("w2");

    functions.open("w");
    pumpUntil(harness, () -> values(harness).contains("w3"));
    assertThat(functions.batchesOf("w")).containsExactly(List.of("w1"), List.of("w3"));
    assertThat(values(harness).stream().filter(v -> v.startsWith("w")))
        .containsExactly("warm", "w1", "w3");
  }

  @Test
  void aDynamicScheduleIsInspectedAtItsBuiltInAddressAndOtherActionsOnItAreRefused()
      throws Exception {
    var harness = harness(null);
    Address schedule =
        Address.newBuilder().setNamespace("keyflow").setType("schedules").setId("r-1").build();
    harness.processElement(
        new StreamRecord<>(
            Envelope.newBuilder()
                .setTarget(schedule)
                .setPayload(
                    TypedValue.newBuilder()
                        .setTypename("keyflow/schedule.set")
                        .setHasValue(true)
                        .setValue(
                            ByteString.copyFromUtf8(
                                "{\"target\": \"t/fn/a\", \"every\": \"1d\","
                                    + " \"start\": \"2099-01-01T00:00:00Z\"}")))
                .build()));

    var report = control(harness, schedule, Action.INSPECT).getAddress().getSchedule();
    assertThat(report.getKind()).isEqualTo("dynamic");
    assertThat(report.getTargetType()).isEqualTo("t/fn");
    assertThat(report.getTargetIdsList()).containsExactly("a");
    assertThat(report.getEveryMillis()).isEqualTo(Duration.ofDays(1).toMillis());
    assertThat(report.getNextFireMillis())
        .isEqualTo(java.time.Instant.parse("2099-01-01T00:00:00Z").toEpochMilli());
    assertThat(
            control(harness, schedule.toBuilder().setId("none").build(), Action.INSPECT)
                .getAddress()
                .hasSchedule())
        .isFalse();
    assertThat(control(harness, schedule, Action.PAUSE).getError())
        .contains("the admin routes only inspect it");
  }

  @Test
  void deleteStateIsRefusedWhileARequestIsInFlight() throws Exception {
    var harness = harness(null);
    send(harness, "warm", "warm");
    pumpUntil(harness, () -> values(harness).contains("warm"));
    functions.close("d");
    send(harness, "d", "slow");
    pumpUntil(harness, () -> functions.batchesOf("d").size() == 1);

    ControlAnswer refused = control(harness, "d", Action.DELETE_STATE);

    assertThat(refused.getError()).contains("a request is in flight").contains("pause the address");
    functions.open("d");
  }

  private ControlAnswer control(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      String id,
      Action action)
      throws Exception {
    return control(harness, address(id), action);
  }

  private ControlAnswer control(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      String id,
      Action action,
      boolean oldestWaiting)
      throws Exception {
    return control(harness, address(id), action, oldestWaiting);
  }

  private ControlAnswer control(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      Address target,
      Action action)
      throws Exception {
    return control(harness, target, action, false);
  }

  private ControlAnswer control(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      Address target,
      Action action,
      boolean oldestWaiting)
      throws Exception {
    String id = target.getId();
    String invocation = "inv-" + requests++;
    harness.processElement(
        new StreamRecord<>(
            Envelope.newBuilder()
                .setTarget(target)
                .setCaller(Replies.caller(invocation))
                .setControl(
                    ControlRequest.newBuilder()
                        .setAction(action)
                        .setRequestedBy("test")
                        .setOldestWaiting(oldestWaiting))
                .build()));
    for (StreamRecord<TypedValue> r : harness.getSideOutput(REPLY_TAG)) {
      GatewayReply reply = GatewayReply.parseFrom(r.getValue().getValue());
      if (reply.getInvocationId().equals(invocation)) {
        return ControlAnswer.parseFrom(reply.getValue().getValue());
      }
    }
    throw new AssertionError("no answer to " + action + " of " + id);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness(
      OperatorSubtaskState restoreFrom) throws Exception {
    return harness(restoreFrom, 1, 0);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness(
      OperatorSubtaskState restoreFrom, int parallelism, int subtask) throws Exception {
    String yaml =
        """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: t/*
          urlPathTemplate: %s
          transport:
            call: 30s
          failures:
            maxAttempts: 3
            deadLetter:
              egress: t/dlq
              topic: dlq
        """
            .formatted(functions.urlTemplate());
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope>(
            DispatcherOperatorFactory.create(
                ModuleLoader.parse("module.yaml", yaml),
                Map.of(OUT, OUT_TAG, DLQ, DLQ_TAG, Replies.EGRESS, REPLY_TAG),
                1000),
            envelope -> envelope.getTarget().getId(),
            Types.STRING,
            MAX_PARALLELISM,
            parallelism,
            subtask);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harnesses.add(harness);
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    return harness;
  }

  private static Address address(String id) {
    return Address.newBuilder().setNamespace("t").setType("fn").setId(id).build();
  }

  private static Address keeper(String id) {
    return Address.newBuilder()
        .setNamespace("t")
        .setType(ScriptedFunctions.KEEPER)
        .setId(id)
        .build();
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      String id,
      String value)
      throws Exception {
    send(harness, address(id), value);
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      Address target,
      String value)
      throws Exception {
    harness.processElement(
        new StreamRecord<>(
            Envelope.newBuilder()
                .setTarget(target)
                .setPayload(
                    TypedValue.newBuilder()
                        .setTypename("t/text")
                        .setHasValue(true)
                        .setValue(ByteString.copyFromUtf8(value)))
                .build()));
  }

  private static void pumpUntil(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      BooleanSupplier done)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
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
    return out == null
        ? List.of()
        : out.stream().map(r -> r.getValue().getValue().toStringUtf8()).toList();
  }

  /** The value {@code last} of a keeper address as an answer reports it. */
  private static String lastOf(ControlAnswer answer) {
    return answer.getAddress().getValuesList().stream()
        .filter(v -> v.getName().equals(ScriptedFunctions.LAST))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no value last in " + answer))
        .getValue()
        .toStringUtf8();
  }

  private static List<DeadLetter> deadLetters(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness) throws Exception {
    List<DeadLetter> letters = new ArrayList<>();
    var out = harness.getSideOutput(DLQ_TAG);
    if (out != null) {
      for (StreamRecord<TypedValue> r : out) {
        KafkaProducerRecord record = KafkaProducerRecord.parseFrom(r.getValue().getValue());
        letters.add(DeadLetter.parseFrom(record.getValueBytes()));
      }
    }
    return letters;
  }

  private static OutputTag<TypedValue> tag(String name) {
    return new OutputTag<>(name, new io.keyflow.protocol.ProtobufTypeInfo<>(TypedValue.class));
  }
}
