package io.keyflow.io.kafka;

import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.tracing.TraceFields;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@code KafkaProducerRecord}; an empty key means a record without key. A record that
 * belongs to a trace gets its W3C trace context headers.
 */
final class ProducerRecords implements KafkaRecordSerializationSchema<KafkaProducerRecord> {
  private static final long serialVersionUID = 1L;

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      KafkaProducerRecord record, KafkaSinkContext context, Long timestamp) {
    byte[] key =
        record.getKey().isEmpty() ? null : record.getKey().getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(
        record.getTopic(),
        null,
        null,
        key,
        record.getValueBytes().toByteArray(),
        KafkaTraceHeaders.write(TraceFields.of(record)));
  }
}
