package io.keyflow.io.kafka;

import io.keyflow.io.Egress;
import io.keyflow.io.StartCheck;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.TypedValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A Kafka egress ({@code io.statefun.kafka.v1/egress}) on Flink's {@code KafkaSink}.
 *
 * @param transactionTimeout for exactly-once: the producer's {@code transaction.timeout.ms}, at
 *     most the broker's {@code transaction.max.timeout.ms} (15 min by default); the producer's
 *     other timeouts follow from it ({@link ProducerTimeouts}) unless the properties set them
 * @param transactionalIdPrefix for exactly-once: unique per job and Kafka cluster, stable across
 *     restarts and rescaling
 * @param transactionNaming for exactly-once: how the sink names its transactions and finds those a
 *     failed run left open. {@code POOLING} reuses a few transactional ids per subtask and lists
 *     the open transactions on {@code topics}; {@code INCREMENTING} takes a new id per checkpoint
 *     and probes ids one producer at a time. {@code POOLING} needs {@code topics}.
 * @param topics the topics functions may write to through this egress, or empty for any; records to
 *     other topics are skipped and counted ({@link EgressRecords})
 * @param declared where module.yaml declares this egress, named by errors about its topics
 */
public record KafkaEgress(
    TypeName id,
    String bootstrapServers,
    DeliveryGuarantee guarantee,
    Duration transactionTimeout,
    String transactionalIdPrefix,
    TransactionNamingStrategy transactionNaming,
    List<String> topics,
    Map<String, String> properties,
    ModuleDocument declared)
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
    topics = List.copyOf(topics);
    properties = Map.copyOf(properties);
    if (transactionNaming == TransactionNamingStrategy.POOLING && topics.isEmpty()) {
      throw new IllegalArgumentException(
          "egress " + id + ": pooled transaction naming needs the egress's topics declared");
    }
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
    KafkaSinkBuilder<KafkaProducerRecord> sink;
    if (guarantee != DeliveryGuarantee.EXACTLY_ONCE) {
      sink =
          KafkaSinkBuilders.withoutTransactions(
              bootstrapServers, properties, lingerMillis(guarantee), guarantee);
    } else if (transactionNaming == TransactionNamingStrategy.POOLING) {
      // POOLING finds the transactions a failed run left open by listing those on the declared
      // topics, which is why records to any other topic are skipped before the sink: a
      // transaction there would not be found and would block read_committed readers of that
      // topic until the transaction timeout.
      sink = pooledSink().builder(lingerMillis(guarantee));
    } else {
      sink =
          KafkaSinkBuilders.exactlyOnce(
              bootstrapServers,
              properties,
              lingerMillis(guarantee),
              transactionTimeout,
              transactionalIdPrefix,
              transactionNaming);
    }
    sink.setRecordSerializer(new ProducerRecords(topics));
    records
        .flatMap(new EgressRecords(id, topics), new ProtobufTypeInfo<>(KafkaProducerRecord.class))
        .uid(uidPrefix + "-records")
        .name("records for " + id)
        .sinkTo(OutageSafeSink.of(sink.build(), "egress " + id, transactionNaming))
        .uid(uidPrefix + "-sink")
        .name("kafka " + id);
  }

  /**
   * The default {@code linger.ms} for a delivery guarantee; the egress's properties override it.
   */
  static String lingerMillis(DeliveryGuarantee guarantee) {
    return guarantee == DeliveryGuarantee.EXACTLY_ONCE ? EXACTLY_ONCE_LINGER_MS : VISIBLE_LINGER_MS;
  }

  /**
   * With pooled transaction naming, its declared topics, which must exist when the job starts (the
   * sink's start would fail on a missing one, and the job would restart until it is created); a
   * Kafka that does not answer within a few seconds is only warned about ({@link
   * DeclaredTopics#batch()}).
   */
  @Override
  public List<StartCheck> startChecks() {
    if (guarantee == DeliveryGuarantee.EXACTLY_ONCE
        && transactionNaming == TransactionNamingStrategy.POOLING) {
      return List.of(pooledSink().declaredTopics());
    }
    return List.of();
  }

  /** This egress's sink with pooled transaction naming, over its declared topics. */
  PooledTransactionalSink pooledSink() {
    return new PooledTransactionalSink(
        bootstrapServers,
        properties,
        transactionalIdPrefix,
        transactionTimeout,
        topics,
        new TopicsDeclaration(
            declared.file(),
            declared.document(),
            KafkaEgressBinder.KIND,
            "spec.topics",
            "egress " + id,
            "declares",
            TopicsDeclaration.Use.POOLED_SINK,
            "topics removed from this egress (with any transactionNaming: pooling) so that it"
                + " names its transactions incrementally; a job that already ran with pooling"
                + " cannot switch back"));
  }

  @Override
  public boolean requiresCheckpointing() {
    return guarantee == DeliveryGuarantee.EXACTLY_ONCE;
  }
}
