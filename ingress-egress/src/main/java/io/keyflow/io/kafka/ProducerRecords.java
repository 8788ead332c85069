package io.keyflow.io.kafka;

import io.keyflow.protocol.egress.KafkaProducerRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a {@code KafkaProducerRecord}; an empty key means a record without key. */
final class ProducerRecords implements KafkaRecordSerializationSchema<KafkaProducerRecord> {
  private static final long serialVersionUID = 1L;

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      KafkaProducerRecord record, KafkaSinkContext context, Long timestamp) {
    byte[] key =
        record.getKey().isEmpty() ? null : record.getKey().getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(record.getTopic(), key, record.getValueBytes().toByteArray());
  }
}
