package io.keyflow.io.kafka;

import io.keyflow.module.YamlNode;
import java.util.Map;
import java.util.Optional;

/** Fields the Kafka kinds (and the gateway, which reads and writes Kafka) share. */
public final class KafkaSpecs {
  private KafkaSpecs() {}

  /**
   * A StateFun-style field that may also be given as a Kafka property: {@code key} wins over {@code
   * property} in {@code properties}; missing in both is an error naming both.
   */
  public static String fieldOrProperty(
      YamlNode spec, Map<String, String> properties, String key, String property, String what) {
    return spec.optionalString(key)
        .or(() -> Optional.ofNullable(properties.get(property)))
        .orElseThrow(
            () -> spec.error(key, "missing", what + " (or " + property + " in properties)"));
  }

  /**
   * The Kafka bootstrap servers: {@code address}, or {@code bootstrap.servers} in {@code
   * properties}.
   */
  public static String bootstrapServers(YamlNode spec, Map<String, String> properties) {
    return fieldOrProperty(
        spec,
        properties,
        "address",
        "bootstrap.servers",
        "the Kafka bootstrap servers, such as kafka:9092");
  }
}
