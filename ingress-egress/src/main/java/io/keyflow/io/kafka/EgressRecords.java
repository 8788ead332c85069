package io.keyflow.io.kafka;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.tracing.TraceFields;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the records a Kafka egress can write: {@code KafkaProducerRecord}s with a topic. Others are
 * logged, counted and dropped rather than failing the job.
 */
final class EgressRecords extends RichFlatMapFunction<TypedValue, KafkaProducerRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(EgressRecords.class);

  static final String TYPENAME = "type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord";

  private final TypeName egress;
  private transient Counter dropped;

  EgressRecords(TypeName egress) {
    this.egress = egress;
  }

  @Override
  public void open(OpenContext context) {
    dropped = getRuntimeContext().getMetricGroup().counter("keyflowInvalidEgressRecords");
  }

  @Override
  public void flatMap(TypedValue value, Collector<KafkaProducerRecord> out) {
    KafkaProducerRecord record = recordOrNull(value);
    if (record == null) {
      dropped.inc();
      LOG.warn("Egress {} dropped a record a function sent: {}", egress, problem(value));
      return;
    }
    out.collect(record);
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
