package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

class EgressRecordsTest {
  private static TypedValue typed(String typename, ByteString value) {
    return TypedValue.newBuilder().setTypename(typename).setHasValue(true).setValue(value).build();
  }

  @Test
  void aKafkaProducerRecordWithATopicIsWritten() {
    KafkaProducerRecord record =
        KafkaProducerRecord.newBuilder()
            .setTopic("orders")
            .setValueBytes(ByteString.copyFromUtf8("v"))
            .build();

    assertThat(EgressRecords.recordOrNull(typed(EgressRecords.TYPENAME, record.toByteString())))
        .isEqualTo(record);
  }

  @Test
  void recordsOfAnotherTypeOrWithoutTopicAreDroppedWithTheReason() {
    assertThat(EgressRecords.problem(typed("io.statefun.types/string", ByteString.EMPTY)))
        .contains("its type is io.statefun.types/string");
    assertThat(
            EgressRecords.problem(
                typed(
                    EgressRecords.TYPENAME,
                    KafkaProducerRecord.newBuilder().setKey("k").build().toByteString())))
        .isEqualTo("it names no topic");
    assertThat(
            EgressRecords.problem(
                typed(EgressRecords.TYPENAME, ByteString.copyFrom(new byte[] {(byte) 0xff}))))
        .isEqualTo("it is not a KafkaProducerRecord");
  }

  private static TypedValue recordTo(String topic) {
    return typed(
        EgressRecords.TYPENAME,
        KafkaProducerRecord.newBuilder()
            .setTopic(topic)
            .setValueBytes(ByteString.copyFromUtf8(topic))
            .build()
            .toByteString());
  }

  @Test
  void withDeclaredTopicsRecordsToAnotherTopicAreSkippedAndCounted() {
    EgressRecords records =
        new EgressRecords(new TypeName("shop", "out"), List.of("orders", "stock"));
    SimpleCounter invalid = new SimpleCounter();
    SimpleCounter undeclared = new SimpleCounter();
    records.count(invalid, undeclared);
    List<KafkaProducerRecord> written = new ArrayList<>();
    ListCollector<KafkaProducerRecord> out = new ListCollector<>(written);

    records.flatMap(recordTo("orders"), out);
    records.flatMap(recordTo("ordres"), out);
    records.flatMap(recordTo("ordres"), out);
    records.flatMap(recordTo("stock"), out);
    records.flatMap(typed("io.statefun.types/string", ByteString.EMPTY), out);

    assertThat(written)
        .extracting(KafkaProducerRecord::getTopic)
        .containsExactly("orders", "stock");
    assertThat(undeclared.getCount()).isEqualTo(2);
    assertThat(invalid.getCount()).isEqualTo(1);
  }

  @Test
  void withoutDeclaredTopicsEveryTopicIsWritten() {
    EgressRecords records = new EgressRecords(new TypeName("shop", "out"), List.of());
    SimpleCounter undeclared = new SimpleCounter();
    records.count(new SimpleCounter(), undeclared);
    List<KafkaProducerRecord> written = new ArrayList<>();

    records.flatMap(recordTo("anything"), new ListCollector<>(written));

    assertThat(written).hasSize(1);
    assertThat(undeclared.getCount()).isZero();
  }
}
