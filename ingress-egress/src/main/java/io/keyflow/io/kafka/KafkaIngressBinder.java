package io.keyflow.io.kafka;

import io.keyflow.module.Component;
import io.keyflow.module.ComponentBinder;
import io.keyflow.module.TypeName;
import io.keyflow.module.YamlNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads kind {@code io.statefun.kafka.v1/ingress}.
 *
 * <pre>{@code
 * kind: io.statefun.kafka.v1/ingress
 * spec:
 *   id: shop/orders-in
 *   address: kafka:9092              # or bootstrap.servers in properties
 *   consumerGroupId: shop            # or group.id in properties
 *   startupPosition:                 # default: group-offsets, falling back to earliest
 *     type: date
 *     date: 2024-03-01 08:00:00.000 +0000
 *   autoOffsetResetPosition: earliest
 *   invalidRecords: skip             # Keyflow: skip (default), fail or dead-letter
 *   deadLetterTopic: orders-dlq      # Keyflow: with invalidRecords: dead-letter
 *   topics:
 *     - topic: orders
 *       valueType: shop.types/OrderJson
 *       targets: [shop/order, shop/audit]
 *     - topic: shop-redrive            # Keyflow: dead letters sent back by `keyflow redrive`;
 *       deadLetters: true              # each message goes to the address it was for
 *   properties:
 *     - isolation.level: read_committed
 * }</pre>
 */
public final class KafkaIngressBinder implements ComponentBinder {
  public static final String KIND = "io.statefun.kafka.v1/ingress";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Component bind(YamlNode spec) {
    spec.allowOnlyKeys(
        "id",
        "address",
        "consumerGroupId",
        "topics",
        "startupPosition",
        "autoOffsetResetPosition",
        "properties",
        "invalidRecords",
        "deadLetterTopic");
    TypeName id = spec.requireTypeName("id");
    Map<String, String> properties = new LinkedHashMap<>(spec.optionalProperties("properties"));
    String servers = KafkaSpecs.bootstrapServers(spec, properties);
    String group =
        KafkaSpecs.fieldOrProperty(
            spec,
            properties,
            "consumerGroupId",
            "group.id",
            "a consumer group id; offsets are committed to it on checkpoints");
    boolean resetToEarliest = resetToEarliest(spec);
    return new KafkaIngress(
        id,
        servers,
        group,
        topics(spec),
        startupPosition(spec, resetToEarliest),
        properties,
        invalidRecords(spec),
        deadLetterTopic(spec),
        new ModuleDocument(spec.file(), spec.document()));
  }

  private static List<TopicRoute> topics(YamlNode spec) {
    List<YamlNode> list = spec.requireList("topics");
    if (list.isEmpty()) {
      throw spec.error("topics", "is empty", "at least one {topic, valueType, targets} entry");
    }
    Map<String, Integer> seen = new HashMap<>();
    List<TopicRoute> routes = new ArrayList<>();
    for (YamlNode topic : list) {
      topic.allowOnlyKeys("topic", "valueType", "targets", "deadLetters");
      String name = topic.requireString("topic");
      if (seen.put(name, routes.size()) != null) {
        throw topic.error("topic", "'" + name + "' is listed twice", "each topic once");
      }
      if (topic.optionalBoolean("deadLetters", false)) {
        for (String key : List.of("valueType", "targets")) {
          if (topic.has(key)) {
            throw topic.error(
                key,
                "is not used with deadLetters: true (each dead letter names its address)",
                "only topic and deadLetters");
          }
        }
        routes.add(TopicRoute.deadLetters(name));
        continue;
      }
      String valueType = topic.requireTypeName("valueType").toString();
      List<TypeName> targets = new ArrayList<>();
      for (YamlNode target : topic.requireList("targets")) {
        targets.add(target.asTypeName());
      }
      if (targets.isEmpty()) {
        throw topic.error("targets", "is empty", "at least one function type such as shop/cart");
      }
      routes.add(new TopicRoute(name, valueType, targets));
    }
    return routes;
  }

  private static boolean resetToEarliest(YamlNode spec) {
    String reset = spec.optionalString("autoOffsetResetPosition").orElse("earliest");
    return switch (reset.toLowerCase(java.util.Locale.ROOT)) {
      case "earliest" -> true;
      case "latest" -> false;
      default ->
          throw spec.error(
              "autoOffsetResetPosition", "'" + reset + "' is unknown", "earliest or latest");
    };
  }

  private static StartupPosition startupPosition(YamlNode spec, boolean resetToEarliest) {
    var node = spec.optionalObject("startupPosition");
    if (node.isEmpty()) {
      return new StartupPosition.GroupOffsets(resetToEarliest);
    }
    YamlNode position = node.get();
    String type = position.requireString("type");
    switch (type) {
      case "group-offsets":
        position.allowOnlyKeys("type");
        return new StartupPosition.GroupOffsets(resetToEarliest);
      case "earliest":
        position.allowOnlyKeys("type");
        return new StartupPosition.Earliest();
      case "latest":
        position.allowOnlyKeys("type");
        return new StartupPosition.Latest();
      case "specific-offsets":
        position.allowOnlyKeys("type", "offsets");
        return new StartupPosition.SpecificOffsets(offsets(position), resetToEarliest);
      case "date":
        position.allowOnlyKeys("type", "date");
        String date = position.requireString("date");
        return new StartupPosition.Date(
            KafkaDates.parse(date)
                .orElseThrow(
                    () ->
                        position.error(
                            "date", "'" + date + "' is not a date", KafkaDates.EXPECTED)));
      default:
        throw position.error(
            "type",
            "'" + type + "' is unknown",
            "group-offsets, earliest, latest, specific-offsets or date");
    }
  }

  private static Map<String, Long> offsets(YamlNode position) {
    Map<String, String> raw = position.optionalProperties("offsets");
    if (raw.isEmpty()) {
      throw position.error(
          "offsets", "missing or empty", "a list such as - orders/0: 42 (topic/partition: offset)");
    }
    Map<String, Long> offsets = new LinkedHashMap<>();
    raw.forEach(
        (key, value) -> {
          int slash = key.lastIndexOf('/');
          boolean partitionOk = slash > 0 && key.substring(slash + 1).matches("\\d+");
          if (!partitionOk || !value.matches("\\d+")) {
            throw position.error(
                "offsets",
                "'" + key + ": " + value + "' is not topic/partition: offset",
                "- orders/0: 42");
          }
          offsets.put(key, Long.parseLong(value));
        });
    return offsets;
  }

  private static InvalidRecordPolicy invalidRecords(YamlNode spec) {
    String policy = spec.optionalString("invalidRecords").orElse("skip");
    return switch (policy) {
      case "skip" -> InvalidRecordPolicy.SKIP;
      case "fail" -> InvalidRecordPolicy.FAIL;
      case "dead-letter" -> InvalidRecordPolicy.DEAD_LETTER;
      default ->
          throw spec.error(
              "invalidRecords", "'" + policy + "' is unknown", "skip, fail or dead-letter");
    };
  }

  private static String deadLetterTopic(YamlNode spec) {
    boolean deadLetter = "dead-letter".equals(spec.optionalString("invalidRecords").orElse(""));
    var topic = spec.optionalString("deadLetterTopic");
    if (deadLetter && topic.isEmpty()) {
      throw spec.error(
          "deadLetterTopic",
          "missing",
          "the topic that receives records with invalidRecords: dead-letter");
    }
    if (!deadLetter && topic.isPresent()) {
      throw spec.error(
          "deadLetterTopic",
          "is set but invalidRecords is not dead-letter",
          "invalidRecords: dead-letter");
    }
    return topic.orElse(null);
  }
}
