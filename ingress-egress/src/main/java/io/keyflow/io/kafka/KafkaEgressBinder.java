package io.keyflow.io.kafka;

import io.keyflow.module.Component;
import io.keyflow.module.ComponentBinder;
import io.keyflow.module.TypeName;
import io.keyflow.module.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;

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
 *     transactionNaming: pooling      # Keyflow; default pooling with topics, else incrementing
 *   transactionalIdPrefix: shop-out   # Keyflow; default keyflow-<namespace>-<name>
 *   topics: [orders, stock]           # Keyflow; default: any topic a record names
 *   properties:
 *     - compression.type: lz4
 * }</pre>
 *
 * <p>Declared {@code topics} are the only ones the egress writes to. For exactly-once they let the
 * Kafka sink find the transactions a failed run left open by listing those on the topics, with a
 * few transactional ids per subtask reused ({@code pooling}), instead of probing ids with one
 * producer each and leaving a new id per checkpoint on the broker ({@code incrementing}).
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
    spec.allowOnlyKeys(
        "id", "address", "deliverySemantic", "properties", "transactionalIdPrefix", "topics");
    TypeName id = spec.requireTypeName("id");
    List<String> topics = spec.has("topics") ? topics(spec) : List.of();
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
    TransactionNamingStrategy naming = TransactionNamingStrategy.INCREMENTING;
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
          node.allowOnlyKeys(
              "type", "transactionTimeout", "transactionTimeoutMillis", "transactionNaming");
          guarantee = DeliveryGuarantee.EXACTLY_ONCE;
          timeout = transactionTimeout(node);
          naming = transactionNaming(node, topics);
        }
        default ->
            throw node.error(
                "type", "'" + type + "' is unknown", "none, at-least-once or exactly-once");
      }
    }
    String prefix =
        spec.optionalString("transactionalIdPrefix")
            .orElse("keyflow-" + id.namespace() + "-" + id.name());
    return new KafkaEgress(
        id,
        servers,
        guarantee,
        timeout,
        prefix,
        naming,
        topics,
        properties,
        new ModuleDocument(spec.file(), spec.document()));
  }

  /** Kafka's rule for topic names: at most 249 of these characters, and not "." or "..". */
  private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private static List<String> topics(YamlNode spec) {
    List<YamlNode> elements = spec.requireList("topics");
    if (elements.isEmpty()) {
      throw spec.error(
          "topics",
          "is empty",
          "the topics the egress writes to, such as topics: [orders, stock]; leave topics out"
              + " to write to any topic a record names");
    }
    List<String> topics = new ArrayList<>();
    for (YamlNode element : elements) {
      String topic = element.asString();
      if (!TOPIC_NAME.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
        throw element.error(
            null,
            "'" + topic + "' is not a Kafka topic name",
            "letters, digits, '.', '_' and '-', at most 249 characters");
      }
      if (topics.contains(topic)) {
        throw element.error(null, "'" + topic + "' is listed twice", "each topic once");
      }
      topics.add(topic);
    }
    return List.copyOf(topics);
  }

  /**
   * Pooling when the egress declares its topics (it needs them), incrementing otherwise; {@code
   * transactionNaming} chooses.
   */
  private static TransactionNamingStrategy transactionNaming(YamlNode node, List<String> topics) {
    String naming = node.optionalString("transactionNaming").orElse(null);
    if (naming == null) {
      return topics.isEmpty()
          ? TransactionNamingStrategy.INCREMENTING
          : TransactionNamingStrategy.POOLING;
    }
    return switch (naming) {
      case "incrementing" -> TransactionNamingStrategy.INCREMENTING;
      case "pooling" -> {
        if (topics.isEmpty()) {
          throw node.error(
              "transactionNaming",
              "pooling needs the topics the egress writes to",
              "topics: [a, b] in the egress's spec, or transactionNaming: incrementing");
        }
        yield TransactionNamingStrategy.POOLING;
      }
      default ->
          throw node.error(
              "transactionNaming", "'" + naming + "' is unknown", "pooling or incrementing");
    };
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
