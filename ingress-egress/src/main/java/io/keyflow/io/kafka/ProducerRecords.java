package io.keyflow.io.kafka;

import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.tracing.TraceFields;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@code KafkaProducerRecord}; an empty key means a record without key. A record that
 * belongs to a trace gets its W3C trace context headers.
 *
 * <p>When the egress declares its topics, they are what the Kafka sink learns as its target topics
 * ({@link KafkaDatasetFacetProvider}): pooled transaction naming lists the open transactions on
 * them after a failure, and Flink's lineage shows them.
 */
final class ProducerRecords
    implements KafkaRecordSerializationSchema<KafkaProducerRecord>, KafkaDatasetFacetProvider {
  private static final long serialVersionUID = 1L;

  private final List<String> topics;

  /**
   * @param topics the egress's declared topics, or empty when records may name any topic
   */
  ProducerRecords(List<String> topics) {
    this.topics = List.copyOf(topics);
  }

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

  @Override
  public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
    if (topics.isEmpty()) {
      return Optional.empty();
    }
    // A new facet each time: the sink sets its producer properties on the one it is given.
    return Optional.of(
        new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(topics)));
  }
}
