package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.TraceContext;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.tracing.TraceFields;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** A record's W3C trace context headers, into messages and out of egress records. */
class KafkaTraceHeadersTest {
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void aRecordsTraceparentAndTracestateGoWithEachOfItsMessages() throws Exception {
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", utf8(TRACEPARENT));
    headers.add("tracestate", utf8("vendor=abc"));

    List<Envelope> out = route(headers);

    assertThat(out).hasSize(2);
    assertThat(out)
        .allSatisfy(
            message -> {
              assertThat(message.getTrace().getTraceparent()).isEqualTo(TRACEPARENT);
              assertThat(message.getTrace().getTracestate()).isEqualTo("vendor=abc");
            });
  }

  @Test
  void aRecordWithoutTraceparentGivesMessagesWithoutTrace() throws Exception {
    RecordHeaders headers = new RecordHeaders();
    headers.add("tracestate", utf8("vendor=abc"));

    assertThat(route(headers)).noneMatch(Envelope::hasTrace);
  }

  @Test
  void anOverlongTraceparentIsNotCarried() throws Exception {
    RecordHeaders headers = new RecordHeaders();
    headers.add("traceparent", new byte[KafkaTraceHeaders.MAX_TRACEPARENT_BYTES + 1]);

    assertThat(route(headers)).noneMatch(Envelope::hasTrace);
  }

  @Test
  void anEgressRecordOfATraceIsWrittenWithItsHeaders() {
    KafkaProducerRecord record =
        KafkaProducerRecord.newBuilder()
            .setTopic("out")
            .setKey("k")
            .setValueBytes(ByteString.copyFromUtf8("v"))
            .build();
    TypedValue sent =
        TraceFields.stamp(
            TypedValue.newBuilder()
                .setTypename(EgressRecords.TYPENAME)
                .setHasValue(true)
                .setValue(record.toByteString())
                .build(),
            TraceContext.newBuilder().setTraceparent(TRACEPARENT).setTracestate("v=1").build());

    ProducerRecord<byte[], byte[]> written =
        new ProducerRecords(java.util.List.of())
            .serialize(EgressRecords.recordOrNull(sent), null, null);

    assertThat(
            new String(written.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8))
        .isEqualTo(TRACEPARENT);
    assertThat(
            new String(written.headers().lastHeader("tracestate").value(), StandardCharsets.UTF_8))
        .isEqualTo("v=1");
    assertThat(written.value()).isEqualTo(utf8("v"));
  }

  @Test
  void anEgressRecordWithoutTraceHasNoTraceHeaders() {
    KafkaProducerRecord record =
        KafkaProducerRecord.newBuilder()
            .setTopic("out")
            .setValueBytes(ByteString.copyFromUtf8("v"))
            .build();

    ProducerRecord<byte[], byte[]> written =
        new ProducerRecords(java.util.List.of()).serialize(record, null, null);

    assertThat(written.headers().lastHeader("traceparent")).isNull();
  }

  private static List<Envelope> route(RecordHeaders headers) throws Exception {
    KafkaRecordRouter router =
        new KafkaRecordRouter(
            TypeName.parse("shop/in"),
            List.of(
                new TopicRoute(
                    "orders",
                    "shop.types/Order",
                    List.of(TypeName.parse("shop/order"), TypeName.parse("shop/audit")))),
            InvalidRecordPolicy.FAIL,
            new DeadLetters.Config("kafka:9092", "dlq", Map.of()));
    List<Envelope> out = new ArrayList<>();
    router.deserialize(
        new ConsumerRecord<>(
            "orders",
            0,
            7,
            0L,
            TimestampType.CREATE_TIME,
            1,
            2,
            utf8("o-1"),
            utf8("{}"),
            headers,
            Optional.empty()),
        new Collector<>() {
          @Override
          public void collect(Envelope record) {
            out.add(record);
          }

          @Override
          public void close() {}
        });
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
