package io.keyflow.io.kafka;

import io.keyflow.module.TypeName;
import java.io.Serializable;
import java.util.List;

/** Records of {@code topic} go, typed as {@code valueType}, to each function type in targets. */
public record TopicRoute(String topic, String valueType, List<TypeName> targets)
    implements Serializable {
  public TopicRoute {
    targets = List.copyOf(targets);
  }
}
