package io.keyflow.io.kafka;

import io.keyflow.module.Component;
import io.keyflow.module.ComponentBinder;
import io.keyflow.module.TypeName;
import io.keyflow.module.YamlNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Reads kind {@code io.statefun.kafka.v1/egress}.
 *
 * <pre>{@code
 * kind: io.statefun.kafka.v1/egress
 * spec:
 *   id: shop/orders-out
 *   address: kafka:9092
 *   deliverySemantic:
 *     type: exactly-once              # none, at-least-once (default) or exactly-once
 *     transactionTimeout: 10 min      # default 10 min; at most the broker's maximum (15 min)
 *   transactionalIdPrefix: shop-out   # Keyflow; default keyflow-<namespace>-<name>
 *   properties:
 *     - compression.type: lz4
 * }</pre>
 */
public final class KafkaEgressBinder implements ComponentBinder {
  public static final String KIND = "io.statefun.kafka.v1/egress";
  static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Component bind(YamlNode spec) {
    spec.allowOnlyKeys("id", "address", "deliverySemantic", "properties", "transactionalIdPrefix");
    TypeName id = spec.requireTypeName("id");
    Map<String, String> properties = new LinkedHashMap<>(spec.optionalProperties("properties"));
    String servers = KafkaSpecs.bootstrapServers(spec, properties);
    String maxRequestSize = properties.get("max.request.size");
    if (maxRequestSize != null && !maxRequestSize.trim().matches("[1-9][0-9]{0,8}")) {
      throw spec.error(
          "properties",
          "max.request.size is '" + maxRequestSize + "'",
          "a positive number of bytes such as 1048576");
    }
    DeliveryGuarantee guarantee = DeliveryGuarantee.AT_LEAST_ONCE;
    Duration timeout = DEFAULT_TRANSACTION_TIMEOUT;
    var semantic = spec.optionalObject("deliverySemantic");
    if (semantic.isPresent()) {
      YamlNode node = semantic.get();
      String type = node.requireString("type");
      switch (type) {
        case "none" -> {
          node.allowOnlyKeys("type");
          guarantee = DeliveryGuarantee.NONE;
        }
        case "at-least-once" -> node.allowOnlyKeys("type");
        case "exactly-once" -> {
          node.allowOnlyKeys("type", "transactionTimeout", "transactionTimeoutMillis");
          guarantee = DeliveryGuarantee.EXACTLY_ONCE;
          timeout = transactionTimeout(node);
        }
        default ->
            throw node.error(
                "type", "'" + type + "' is unknown", "none, at-least-once or exactly-once");
      }
    }
    String prefix =
        spec.optionalString("transactionalIdPrefix")
            .orElse("keyflow-" + id.namespace() + "-" + id.name());
    return new KafkaEgress(id, servers, guarantee, timeout, prefix, properties);
  }

  private static Duration transactionTimeout(YamlNode node) {
    Duration timeout;
    if (node.has("transactionTimeoutMillis")) {
      long millis = node.optionalLong("transactionTimeoutMillis", 0);
      timeout = Duration.ofMillis(millis);
    } else {
      timeout = node.optionalDuration("transactionTimeout", DEFAULT_TRANSACTION_TIMEOUT);
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw node.error(
          node.has("transactionTimeoutMillis") ? "transactionTimeoutMillis" : "transactionTimeout",
          "must be positive",
          "a duration such as transactionTimeout: 10 min (at most the broker's"
              + " transaction.max.timeout.ms, 15 min by default)");
    }
    return timeout;
  }
}
