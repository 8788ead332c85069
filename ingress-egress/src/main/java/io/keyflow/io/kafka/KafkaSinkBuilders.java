package io.keyflow.io.kafka;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;

/**
 * The Kafka sink builders of Keyflow's egresses, with the order of settings they share: Keyflow's
 * defaults first, then the Kafka client properties from module.yaml over them, then what those
 * properties cannot change. Callers add the record serializer.
 */
public final class KafkaSinkBuilders {
  private KafkaSinkBuilders() {}

  /** A sink without transactions: {@code linger.ms}, then {@code properties}. */
  public static <T> KafkaSinkBuilder<T> withoutTransactions(
      String bootstrapServers,
      Map<String, String> properties,
      String lingerMillis,
      DeliveryGuarantee guarantee) {
    KafkaSinkBuilder<T> sink = KafkaSink.builder();
    sink.setProperty("linger.ms", lingerMillis);
    properties.forEach(sink::setProperty);
    return sink.setBootstrapServers(bootstrapServers).setDeliveryGuarantee(guarantee);
  }

  /**
   * An exactly-once sink that names its transactions with {@code naming}: {@code linger.ms} and the
   * producer's timeouts that follow from {@code transactionTimeout}, then {@code properties}, then
   * the transaction settings.
   */
  static <T> KafkaSinkBuilder<T> exactlyOnce(
      String bootstrapServers,
      Map<String, String> properties,
      String lingerMillis,
      Duration transactionTimeout,
      String transactionalIdPrefix,
      TransactionNamingStrategy naming) {
    KafkaSinkBuilder<T> sink = KafkaSink.builder();
    sink.setProperty("linger.ms", lingerMillis);
    ProducerTimeouts.forTransactions(transactionTimeout).properties().forEach(sink::setProperty);
    properties.forEach(sink::setProperty);
    return sink.setBootstrapServers(bootstrapServers)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setTransactionNamingStrategy(naming)
        .setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
  }
}
