package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.TypedValue;
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
}
