package io.keyflow.io.kafka;

import io.keyflow.module.TypeName;
import java.io.Serializable;
import java.util.List;

/**
 * Records of {@code topic} go, typed as {@code valueType}, to each function type in targets; or,
 * for a {@code deadLetters} topic, each record is a Keyflow dead letter whose messages go back to
 * the address they were for.
 */
public record TopicRoute(
    String topic, String valueType, List<TypeName> targets, boolean deadLetters)
    implements Serializable {
  public TopicRoute {
    targets = List.copyOf(targets);
  }

  public TopicRoute(String topic, String valueType, List<TypeName> targets) {
    this(topic, valueType, targets, false);
  }

  /** A topic of dead letters, as {@code keyflow redrive} writes them. */
  public static TopicRoute deadLetters(String topic) {
    return new TopicRoute(topic, "", List.of(), true);
  }
}
