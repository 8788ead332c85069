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
 *     most the broker's {@code transaction.max.timeout.ms} (15 min by default); the producer's
 *     other timeouts follow from it ({@link ProducerTimeouts}) unless the properties set them
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

  /**
   * The producer's {@code linger.ms} for exactly-once delivery unless the egress's properties set
   * it. Consumers see transactional records when the checkpoint commits, so a few milliseconds of
   * batching cost them nothing, and fewer, fuller produce requests halve the broker's work per
   * record.
   */
  static final String EXACTLY_ONCE_LINGER_MS = "5";

  /**
   * The producer's {@code linger.ms} for at-least-once and no guarantee unless the egress's
   * properties set it: records are visible once written, so they leave at once.
   */
  static final String VISIBLE_LINGER_MS = "0";

  /** The Kafka producer's default {@code max.request.size}. */
  static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

  public KafkaEgress {
    properties = Map.copyOf(properties);
  }

  /** The producer's {@code max.request.size}: a record larger than this fails the sink. */
  @Override
  public int maxRecordBytes() {
    String configured = properties.get("max.request.size");
    if (configured == null) {
      return DEFAULT_MAX_REQUEST_SIZE;
    }
    try {
      return Integer.parseInt(configured.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "egress "
              + id
              + ": property max.request.size is '"
              + configured
              + "'; expected a number of bytes such as 1048576",
          e);
    }
  }

  @Override
  public void attach(DataStream<TypedValue> records, String uidPrefix) {
    KafkaSinkBuilder<KafkaProducerRecord> sink = KafkaSink.builder();
    sink.setProperty("linger.ms", lingerMillis(guarantee));
    if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
      ProducerTimeouts.forTransactions(transactionTimeout).properties().forEach(sink::setProperty);
    }
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
        .sinkTo(OutageSafeSink.of(sink.build(), "egress " + id))
        .uid(uidPrefix + "-sink")
        .name("kafka " + id);
  }

  @Override
  public boolean requiresCheckpointing() {
    return guarantee == DeliveryGuarantee.EXACTLY_ONCE;
  }

  /**
   * The default {@code linger.ms} for a delivery guarantee; the egress's properties override it.
   */
  static String lingerMillis(DeliveryGuarantee guarantee) {
    return guarantee == DeliveryGuarantee.EXACTLY_ONCE ? EXACTLY_ONCE_LINGER_MS : VISIBLE_LINGER_MS;
  }
}
