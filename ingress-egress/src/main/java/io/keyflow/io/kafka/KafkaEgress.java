package io.keyflow.io.kafka;

import io.keyflow.io.Egress;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.TypedValue;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A Kafka egress ({@code io.statefun.kafka.v1/egress}) on Flink's {@code KafkaSink}.
 *
 * @param transactionTimeout for exactly-once: the producer's {@code transaction.timeout.ms}, at
 *     most the broker's {@code transaction.max.timeout.ms} (15 min by default)
 * @param transactionalIdPrefix for exactly-once: unique per job and Kafka cluster, stable across
 *     restarts and rescaling
 */
public record KafkaEgress(
    TypeName id,
    String bootstrapServers,
    DeliveryGuarantee guarantee,
    Duration transactionTimeout,
    String transactionalIdPrefix,
    Map<String, String> properties)
    implements Egress {

  /** The producer's {@code linger.ms} unless the egress's properties set it. */
  static final String DEFAULT_LINGER_MS = "0";

  public KafkaEgress {
    properties = Map.copyOf(properties);
  }

  @Override
  public void attach(DataStream<TypedValue> records, String uidPrefix) {
    KafkaSinkBuilder<KafkaProducerRecord> sink = KafkaSink.builder();
    // Records leave at once rather than after the Kafka client's default 5 ms linger: under load
    // they batch anyway while earlier requests are in flight. The egress's properties override it.
    sink.setProperty("linger.ms", DEFAULT_LINGER_MS);
    properties.forEach(sink::setProperty);
    sink.setBootstrapServers(bootstrapServers)
        .setDeliveryGuarantee(guarantee)
        .setRecordSerializer(new ProducerRecords());
    if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
      // Flink's POOLING naming needs the target topics up front; functions choose topics per
      // record, so the default (incrementing) naming is used.
      sink.setTransactionalIdPrefix(transactionalIdPrefix)
          .setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
    }
    records
        .flatMap(new EgressRecords(id), new ProtobufTypeInfo<>(KafkaProducerRecord.class))
        .uid(uidPrefix + "-records")
        .name("records for " + id)
        .sinkTo(sink.build())
        .uid(uidPrefix + "-sink")
        .name("kafka " + id);
  }

  @Override
  public boolean requiresCheckpointing() {
    return guarantee == DeliveryGuarantee.EXACTLY_ONCE;
  }
}
