package io.keyflow.io.kafka;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;

/**
 * An exactly-once Kafka sink that pools its transactional ids over topics known before the job
 * starts: a Kafka egress that declares its {@code topics}, or a gateway's replies to its {@code
 * replyTopic}. Each subtask reuses a few transactional ids, and after a failure the sink finds the
 * transactions left open by listing those on its topics, instead of probing ids one producer at a
 * time. The listing fails on a topic that does not exist, so the job checks them before it starts
 * ({@link #declaredTopics()}).
 *
 * @param bootstrapServers the Kafka cluster of the topics
 * @param properties Kafka client properties from module.yaml; they override the defaults this sink
 *     chooses, apart from the transaction settings
 * @param transactionalIdPrefix unique per job and Kafka cluster, stable across restarts and
 *     rescaling
 * @param transactionTimeout the producer's {@code transaction.timeout.ms}, at most the broker's
 *     {@code transaction.max.timeout.ms} (15 min by default); the producer's other timeouts follow
 *     from it ({@link ProducerTimeouts}) unless the properties set them
 * @param topics every topic the sink writes to
 * @param declared where module.yaml names the topics, for the error when one does not exist
 */
public record PooledTransactionalSink(
    String bootstrapServers,
    Map<String, String> properties,
    String transactionalIdPrefix,
    Duration transactionTimeout,
    List<String> topics,
    TopicsDeclaration declared)
    implements Serializable {

  public PooledTransactionalSink {
    properties = Map.copyOf(properties);
    topics = List.copyOf(topics);
    if (topics.isEmpty()) {
      throw new IllegalArgumentException(
          declared.component() + ": pooled transaction naming needs the topics it writes to");
    }
  }

  /**
   * A sink builder with these settings and {@code linger.ms} unless the properties set it; the
   * caller adds the record serializer.
   */
  public <T> KafkaSinkBuilder<T> builder(String lingerMillis) {
    return KafkaSinkBuilders.exactlyOnce(
        bootstrapServers,
        properties,
        lingerMillis,
        transactionTimeout,
        transactionalIdPrefix,
        TransactionNamingStrategy.POOLING);
  }

  /**
   * The topics this sink needs before it starts, on its Kafka cluster: the job checks that they
   * exist before it starts, since the sink's start would fail on a missing one and the job would
   * restart until it is created.
   */
  public DeclaredTopics declaredTopics() {
    return new DeclaredTopics(topics, bootstrapServers, properties, declared);
  }
}
