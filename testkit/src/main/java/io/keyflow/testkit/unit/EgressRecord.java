package io.keyflow.testkit.unit;

import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.testkit.Value;
import java.util.Optional;
import org.apache.flink.statefun.sdk.java.TypeName;

/**
 * A record a function sent to an egress.
 *
 * @param egress the egress id, such as {@code shop/out}
 * @param value the record as the function encoded it
 */
public record EgressRecord(TypeName egress, Value value) {
  /** The typename of records for Kafka egresses. */
  public static final String KAFKA_RECORD_TYPE =
      "type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord";

  /** The Kafka record, when the function built one ({@code KafkaEgressMessage}). */
  public Optional<KafkaRecord> kafka() {
    if (!value.typename().equals(KAFKA_RECORD_TYPE)) {
      return Optional.empty();
    }
    try {
      KafkaProducerRecord record = KafkaProducerRecord.parseFrom(value.bytes());
      return Optional.of(
          new KafkaRecord(
              record.getTopic(), record.getKey(), record.getValueBytes().toByteArray()));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError("egress " + egress + " got an undecodable Kafka record", e);
    }
  }

  @Override
  public String toString() {
    return "to egress "
        + egress.asTypeNameString()
        + ": "
        + kafka().map(KafkaRecord::toString).orElse(value.toString());
  }
}
