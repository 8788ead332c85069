package io.keyflow.io.gateway;

import io.keyflow.io.Egress;
import io.keyflow.io.Replies;
import io.keyflow.io.kafka.OutageSafeSink;
import io.keyflow.io.kafka.ProducerTimeouts;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.TypedValue;
import java.time.Duration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Writes the replies to gateway calls to the reply topic, keyed by invocation id. */
record ReplyEgress(GatewaySpec spec) implements Egress {

  /** At most the broker's default transaction.max.timeout.ms (15 min). */
  static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

  @Override
  public TypeName id() {
    return Replies.EGRESS;
  }

  @Override
  public void attach(DataStream<TypedValue> records, String uidPrefix) {
    KafkaSinkBuilder<TypedValue> sink = KafkaSink.builder();
    // A waiting caller wants its reply now, not after the producer's default linger.
    sink.setProperty("linger.ms", "0");
    if (spec.exactlyOnceReplies()) {
      ProducerTimeouts.forTransactions(TRANSACTION_TIMEOUT).properties().forEach(sink::setProperty);
    }
    spec.properties().forEach(sink::setProperty);
    sink.setBootstrapServers(spec.bootstrapServers())
        .setRecordSerializer(new ReplyRecords(spec.replyTopic()))
        .setDeliveryGuarantee(
            spec.exactlyOnceReplies()
                ? DeliveryGuarantee.EXACTLY_ONCE
                : DeliveryGuarantee.AT_LEAST_ONCE);
    if (spec.exactlyOnceReplies()) {
      // Replies go to one known topic, so the sink can pool its transactional ids: a restore lists
      // the open transactions on that topic instead of probing ids, and the broker keeps a handful
      // of ids rather than a new one per checkpoint.
      sink.setTransactionalIdPrefix(spec.transactionalIdPrefix())
          .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
          .setProperty("transaction.timeout.ms", Long.toString(TRANSACTION_TIMEOUT.toMillis()));
    }
    TransactionNamingStrategy naming =
        spec.exactlyOnceReplies()
            ? TransactionNamingStrategy.POOLING
            : TransactionNamingStrategy.DEFAULT;
    records
        .sinkTo(OutageSafeSink.of(sink.build(), "reply egress " + spec.id(), naming))
        .uid(uidPrefix + "-sink")
        .name("replies of " + spec.id());
  }

  @Override
  public boolean requiresCheckpointing() {
    return spec.exactlyOnceReplies();
  }
}
