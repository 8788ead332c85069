package io.keyflow.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.ProtobufSerializer;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.internal.DelayedEnvelope;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.TraceContext;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class TraceFieldsTest {
  private static final TraceContext TRACE =
      TraceContext.newBuilder()
          .setTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
          .setTracestate("vendor=abc")
          .setReceivedAtNanos(42)
          .build();
  private static final Invocation INVOCATION =
      Invocation.newBuilder()
          .setCaller(Address.newBuilder().setNamespace("a").setType("b").setId("c"))
          .setArgument(
              TypedValue.newBuilder()
                  .setTypename("t/x")
                  .setHasValue(true)
                  .setValue(ByteString.copyFromUtf8("v")))
          .build();

  @Test
  void aStampedInvocationKeepsItsTraceThroughTheBacklogsSerializer() throws Exception {
    Invocation stored =
        roundTrip(new ProtobufSerializer<>(Invocation.class), TraceFields.stamp(INVOCATION, TRACE));

    assertThat(TraceFields.of(stored)).isEqualTo(TRACE);
    assertThat(TraceFields.strip(stored)).isEqualTo(INVOCATION);
  }

  @Test
  void strippingRemovesTheFieldFromTheBytesAFunctionReceives() {
    Invocation stripped = TraceFields.strip(TraceFields.stamp(INVOCATION, TRACE));

    assertThat(stripped.toByteArray()).isEqualTo(INVOCATION.toByteArray());
    assertThat(TraceFields.of(stripped)).isNull();
  }

  @Test
  void aMessageWithoutTraceIsLeftAsItIs() {
    assertThat(TraceFields.of(INVOCATION)).isNull();
    assertThat(TraceFields.strip(INVOCATION)).isSameAs(INVOCATION);
  }

  @Test
  void stampingAgainReplacesTheTrace() {
    TraceContext other = TRACE.toBuilder().setTracestate("vendor=def").build();

    Invocation twice = TraceFields.stamp(TraceFields.stamp(INVOCATION, TRACE), other);

    assertThat(TraceFields.of(twice)).isEqualTo(other);
  }

  @Test
  void theTraceOfAnEgressRecordSurvivesItsParseAsAKafkaProducerRecord() throws Exception {
    KafkaProducerRecord record =
        KafkaProducerRecord.newBuilder()
            .setTopic("out")
            .setKey("k")
            .setValueBytes(ByteString.copyFromUtf8("v"))
            .build();

    TypedValue sent =
        TraceFields.stamp(
            TypedValue.newBuilder()
                .setTypename("type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord")
                .setHasValue(true)
                .setValue(record.toByteString())
                .build(),
            TRACE);
    TypedValue received = roundTrip(new ProtobufSerializer<>(TypedValue.class), sent);

    assertThat(TraceFields.of(received)).isEqualTo(TRACE);
    assertThat(KafkaProducerRecord.parseFrom(received.getValue())).isEqualTo(record);
  }

  @Test
  void anEnvelopesTraceTravelsThroughTheFeedbackLoopAndDelayedMessages() throws Exception {
    Envelope envelope =
        Envelope.newBuilder()
            .setTarget(Address.newBuilder().setNamespace("a").setType("b").setId("c"))
            .setPayload(INVOCATION.getArgument())
            .setTrace(TRACE)
            .build();

    Envelope looped = roundTrip(new ProtobufSerializer<>(Envelope.class), envelope);
    DelayedEnvelope delayed =
        roundTrip(
            new ProtobufSerializer<>(DelayedEnvelope.class),
            DelayedEnvelope.newBuilder().setEnvelope(envelope).setCancellationToken("t").build());

    assertThat(looped.getTrace()).isEqualTo(TRACE);
    assertThat(delayed.getEnvelope().getTrace()).isEqualTo(TRACE);
  }

  @Test
  void anEnvelopeWrittenBeforeTracingReadsAsHavingNoTrace() throws Exception {
    Envelope old =
        Envelope.newBuilder()
            .setTarget(Address.newBuilder().setNamespace("a").setType("b").setId("c"))
            .build();

    Envelope read = Envelope.parseFrom(old.toByteArray());

    assertThat(read.hasTrace()).isFalse();
  }

  private static <T extends com.google.protobuf.MessageLite> T roundTrip(
      ProtobufSerializer<T> serializer, T value) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }
}
