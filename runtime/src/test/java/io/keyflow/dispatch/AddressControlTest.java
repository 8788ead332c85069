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
 * Pause, resume and skip of one address on the dispatcher, on Flink's keyed operator harness with
 * RocksDB against a scripted function on a real HTTP server; the requests arrive as the gateway's
 * ingress makes them and the answers leave on the reply egress.
 */
@Timeout(60)
class AddressControlTest {
  private static final TypeName OUT = TypeName.parse("t/out");
  private static final TypeName DLQ = TypeName.parse("t/dlq");
  private static final OutputTag<TypedValue> OUT_TAG = tag("out");
  private static final OutputTag<TypedValue> DLQ_TAG = tag("dlq");
  private static final OutputTag<TypedValue> REPLY_TAG = tag("reply");
  private static final Duration WAIT = Duration.ofSeconds(20);

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
    String invocation = "inv-" + requests++;
    harness.processElement(
        new StreamRecord<>(
            Envelope.newBuilder()
                .setTarget(address(id))
                .setCaller(Replies.caller(invocation))
                .setControl(ControlRequest.newBuilder().setAction(action).setRequestedBy("test"))
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
            128,
            1,
            0);
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

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      String id,
      String value)
      throws Exception {
    harness.processElement(
        new StreamRecord<>(
            Envelope.newBuilder()
                .setTarget(address(id))
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
