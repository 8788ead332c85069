package io.keyflow.io.kafka;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.tracing.TraceFields;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the records a Kafka egress can write: {@code KafkaProducerRecord}s with a topic, and when
 * the egress declares its topics, one of those. Others are logged, counted and dropped rather than
 * failing the job (a failure would come back on every replay of the same records).
 *
 * <p>A record to a topic the egress does not declare is counted in {@code
 * keyflowUndeclaredTopicRecords}, and the first one per topic is logged as a warning naming the
 * egress, the topic and the declared ones. It must not reach the sink: with pooled transaction
 * naming a transaction left open on an undeclared topic is never found after a failure.
 */
final class EgressRecords extends RichFlatMapFunction<TypedValue, KafkaProducerRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(EgressRecords.class);

  static final String TYPENAME = "type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord";
  static final String INVALID_RECORDS = "keyflowInvalidEgressRecords";
  static final String UNDECLARED_TOPIC_RECORDS = "keyflowUndeclaredTopicRecords";

  private final TypeName egress;
  private final List<String> topics;
  private transient Counter dropped;
  private transient Counter undeclared;
  private transient Set<String> reported;

  /**
   * @param topics the topics the egress declares, or empty when records may name any
   */
  EgressRecords(TypeName egress, List<String> topics) {
    this.egress = egress;
    this.topics = List.copyOf(topics);
  }

  @Override
  public void open(OpenContext context) {
    count(
        getRuntimeContext().getMetricGroup().counter(INVALID_RECORDS),
        getRuntimeContext().getMetricGroup().counter(UNDECLARED_TOPIC_RECORDS));
  }

  /** Counts dropped records in these counters; {@link #open} passes the task's metrics. */
  void count(Counter invalidRecords, Counter undeclaredTopicRecords) {
    dropped = invalidRecords;
    undeclared = undeclaredTopicRecords;
    reported = new HashSet<>();
  }

  @Override
  public void flatMap(TypedValue value, Collector<KafkaProducerRecord> out) {
    KafkaProducerRecord record = recordOrNull(value);
    if (record == null) {
      dropped.inc();
      LOG.warn("Egress {} dropped a record a function sent: {}", egress, problem(value));
      return;
    }
    if (!declares(topics, record.getTopic())) {
      undeclared.inc();
      if (reported.add(record.getTopic())) {
        LOG.warn(
            "Egress {} skips records to topic '{}', which its topics in module.yaml do not"
                + " declare (declared: {}); skipping it and every further record to that topic,"
                + " counted in {}. Add the topic to the egress's topics to write them.",
            egress,
            record.getTopic(),
            topics,
            UNDECLARED_TOPIC_RECORDS);
      }
      return;
    }
    out.collect(record);
  }

  /** Whether an egress declaring {@code topics} (empty: any) writes to {@code topic}. */
  static boolean declares(List<String> topics, String topic) {
    return topics.isEmpty() || topics.contains(topic);
  }

  /**
   * The record a Kafka egress writes for {@code value}, or null if it cannot write one. The trace
   * context the dispatcher attached to {@code value} moves to the record, for its headers.
   */
  static KafkaProducerRecord recordOrNull(TypedValue value) {
    if (problem(value) != null) {
      return null;
    }
    KafkaProducerRecord record = parse(value);
    io.keyflow.protocol.internal.TraceContext trace = TraceFields.of(value);
    return trace == null ? record : TraceFields.stamp(record, trace);
  }

  /** Why a Kafka egress cannot write {@code value}, or null if it can. */
  static String problem(TypedValue value) {
    if (!value.getTypename().equals(TYPENAME)) {
      return "its type is " + value.getTypename() + ", expected " + TYPENAME;
    }
    KafkaProducerRecord record = parse(value);
    if (record == null) {
      return "it is not a KafkaProducerRecord";
    }
    if (record.getTopic().isEmpty()) {
      return "it names no topic";
    }
    return null;
  }

  private static KafkaProducerRecord parse(TypedValue value) {
    try {
      return KafkaProducerRecord.parseFrom(value.getValue());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return null;
    }
  }
}
