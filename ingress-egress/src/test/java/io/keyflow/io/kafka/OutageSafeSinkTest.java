package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.sink.internal.TransactionOwnership;
import org.junit.jupiter.api.Test;

class OutageSafeSinkTest {

  private static OutageSafeSink<io.keyflow.protocol.egress.KafkaProducerRecord> sink(
      TransactionNamingStrategy naming) {
    KafkaSink<io.keyflow.protocol.egress.KafkaProducerRecord> kafka =
        KafkaSink.<io.keyflow.protocol.egress.KafkaProducerRecord>builder()
            .setBootstrapServers("kafka:9092")
            .setRecordSerializer(new ProducerRecords(List.of("orders")))
            .build();
    return OutageSafeSink.of(kafka, "egress shop/out", naming);
  }

  private static KafkaWriterState stateWrittenWith(TransactionOwnership ownership) {
    return new KafkaWriterState("keyflow-shop-out", 0, 2, ownership, List.of());
  }

  @Test
  void incrementingNamingRefusesStateOfPooledNamingNamingTheEgressAndTheFix() {
    assertThatThrownBy(
            () ->
                sink(TransactionNamingStrategy.INCREMENTING)
                    .refuseSwitchBackFromPooling(
                        List.of(stateWrittenWith(TransactionOwnership.EXPLICIT_BY_WRITER_STATE))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("egress shop/out")
        .hasMessageContaining("Declare the egress's topics again");
  }

  @Test
  void poolingRestoresStateOfEitherNamingAndIncrementingItsOwn() {
    assertThatCode(
            () ->
                sink(TransactionNamingStrategy.POOLING)
                    .refuseSwitchBackFromPooling(
                        List.of(
                            stateWrittenWith(TransactionOwnership.EXPLICIT_BY_WRITER_STATE),
                            stateWrittenWith(TransactionOwnership.IMPLICIT_BY_SUBTASK_ID))))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                sink(TransactionNamingStrategy.INCREMENTING)
                    .refuseSwitchBackFromPooling(
                        List.of(stateWrittenWith(TransactionOwnership.IMPLICIT_BY_SUBTASK_ID))))
        .doesNotThrowAnyException();
  }
}
