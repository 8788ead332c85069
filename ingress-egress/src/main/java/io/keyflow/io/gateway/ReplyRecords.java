package io.keyflow.io.gateway;

import io.keyflow.protocol.gateway.GatewayReply;
import io.keyflow.protocol.reqreply.TypedValue;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A reply record: key the invocation id, value the {@link GatewayReply} as the dispatcher made it.
 */
final class ReplyRecords implements KafkaRecordSerializationSchema<TypedValue> {
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
}
