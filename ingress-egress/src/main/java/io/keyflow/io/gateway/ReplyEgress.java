package io.keyflow.io.gateway;

import io.keyflow.io.Egress;
import io.keyflow.io.Replies;
import io.keyflow.io.StartCheck;
import io.keyflow.io.kafka.KafkaSinkBuilders;
import io.keyflow.io.kafka.OutageSafeSink;
import io.keyflow.io.kafka.PooledTransactionalSink;
import io.keyflow.io.kafka.TopicsDeclaration;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.TypedValue;
import java.time.Duration;
import java.util.List;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Writes the replies to gateway calls to the reply topic, keyed by invocation id.
 *
 * @param spec the gateway
 * @param file the module.yaml file that declares the gateway, as module.yaml errors name it
 * @param document the gateway's document in it, 1-based
 */
record ReplyEgress(GatewaySpec spec, String file, int document) implements Egress {

  /** At most the broker's default transaction.max.timeout.ms (15 min). */
  static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

  /** A waiting caller wants its reply now, not after the producer's default linger. */
  static final String LINGER_MS = "0";

  @Override
  public TypeName id() {
    return Replies.EGRESS;
  }

  @Override
  public void attach(DataStream<TypedValue> records, String uidPrefix) {
    KafkaSinkBuilder<TypedValue> sink;
    TransactionNamingStrategy naming;
    if (spec.exactlyOnceReplies()) {
      // Replies go to one known topic, so the sink can pool its transactional ids: a restore lists
      // the open transactions on that topic instead of probing ids, and the broker keeps a handful
      // of ids rather than a new one per checkpoint.
      sink = pooledSink().builder(LINGER_MS);
      naming = TransactionNamingStrategy.POOLING;
    } else {
      sink =
          KafkaSinkBuilders.withoutTransactions(
              spec.bootstrapServers(),
              spec.properties(),
              LINGER_MS,
              DeliveryGuarantee.AT_LEAST_ONCE);
      naming = TransactionNamingStrategy.DEFAULT;
    }
    sink.setRecordSerializer(new ReplyRecords(spec.replyTopic()));
    records
        .sinkTo(OutageSafeSink.of(sink.build(), "reply egress " + spec.id(), naming))
        .uid(uidPrefix + "-sink")
        .name("replies of " + spec.id());
  }

  /**
   * With exactly-once replies, the reply topic, which must exist when the job starts (the sink's
   * start would fail on it, and the job would restart until it is created); a Kafka that does not
   * answer within a few seconds is only warned about.
   */
  @Override
  public List<StartCheck> startChecks() {
    return spec.exactlyOnceReplies() ? List.of(pooledSink().declaredTopics()) : List.of();
  }

  @Override
  public boolean requiresCheckpointing() {
    return spec.exactlyOnceReplies();
  }

  /** The exactly-once sink of the replies, which pools its transactional ids on the reply topic. */
  PooledTransactionalSink pooledSink() {
    return new PooledTransactionalSink(
        spec.bootstrapServers(),
        spec.properties(),
        spec.transactionalIdPrefix(),
        TRANSACTION_TIMEOUT,
        List.of(spec.replyTopic()),
        spec.topicDeclaration(
            file,
            document,
            "spec.replyTopic",
            "writes its replies to",
            TopicsDeclaration.Use.POOLED_SINK,
            "spec.replyTopic naming a topic that exists, or replies: at-least-once (replies"
                + " then leave without transactions and may repeat after a failure)"));
  }
}
