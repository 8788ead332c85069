package io.keyflow.testkit.unit;

import io.keyflow.testkit.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.statefun.sdk.java.slice.Slices;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * A record a function wrote to a Kafka egress ({@code KafkaEgressMessage} in the Java SDK).
 *
 * @param topic the topic
 * @param key the record key; empty when the function set none
 * @param value the record value
 */
public record KafkaRecord(String topic, String key, byte[] value) {
  public KafkaRecord {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    value = Objects.requireNonNull(value, "value").clone();
  }

  /** A copy of the value bytes. */
  @Override
  public byte[] value() {
    return value.clone();
  }

  /** The value as UTF-8 text. */
  public String utf8Value() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** The value read with an SDK type's serializer (the typename is not on the record). */
  public <T> T valueAs(Type<T> type) {
    try {
      return type.typeSerializer().deserialize(Slices.wrap(value));
    } catch (RuntimeException e) {
      throw new AssertionError(
          "the value of " + this + " is no valid " + type.typeName().asTypeNameString(), e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaRecord other
        && topic.equals(other.topic)
        && key.equals(other.key)
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, key, Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return "topic " + topic + ", key '" + key + "': " + Printable.bytes(value);
  }
}
