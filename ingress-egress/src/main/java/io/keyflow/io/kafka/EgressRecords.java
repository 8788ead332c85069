package io.keyflow.io.kafka;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.TypedValue;
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
    if (!value.getTypename().equals(TYPENAME)) {
      drop("its type is " + value.getTypename() + ", expected " + TYPENAME);
      return;
    }
    KafkaProducerRecord record;
    try {
      record = KafkaProducerRecord.parseFrom(value.getValue());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      drop("it is not a KafkaProducerRecord (" + e.getMessage() + ")");
      return;
    }
    if (record.getTopic().isEmpty()) {
      drop("it names no topic");
      return;
    }
    out.collect(record);
  }

  private void drop(String reason) {
    dropped.inc();
    LOG.warn("Egress {} dropped a record a function sent: {}", egress, reason);
  }
}
