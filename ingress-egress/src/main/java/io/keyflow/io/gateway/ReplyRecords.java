package io.keyflow.io.gateway;

import io.keyflow.protocol.gateway.GatewayReply;
import io.keyflow.protocol.reqreply.TypedValue;
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
 * A reply record: key the invocation id, value the {@link GatewayReply} as the dispatcher made it.
 * Declares its one topic ({@link KafkaDatasetFacetProvider}) so that exactly-once replies can pool
 * their transactional ids.
 */
final class ReplyRecords
    implements KafkaRecordSerializationSchema<TypedValue>, KafkaDatasetFacetProvider {
  private static final long serialVersionUID = 1L;

  private final String topic;

  ReplyRecords(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      TypedValue record, KafkaSinkContext context, Long timestamp) {
    byte[] value = record.getValue().toByteArray();
    String invocation;
    try {
      invocation = GatewayReply.parseFrom(value).getInvocationId();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("the dispatcher made a reply that does not parse", e);
    }
    return new ProducerRecord<>(topic, invocation.getBytes(StandardCharsets.UTF_8), value);
  }

  @Override
  public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
    // A new facet each time: the sink sets its producer properties on the one it is given.
    return Optional.of(
        new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
  }
}
