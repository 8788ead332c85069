package io.keyflow.io.kafka;

import io.keyflow.module.EgressComponent;
import io.keyflow.module.FailurePolicy;
import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.IngressComponent;
import io.keyflow.module.Module;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Kafka topics a module names: those its Kafka ingresses read and dead-letter to, those its
 * Kafka egresses declare, and those its endpoints dead-letter to through a Kafka egress. A broker
 * started for the module (such as {@code keyflow run --with-kafka}) creates them before the job
 * starts, so that none is left to the broker's automatic creation, and an exactly-once egress that
 * declares its topics finds them when its sink starts.
 */
public final class ModuleTopics {
  private ModuleTopics() {}

  /** Every topic {@code module}'s Kafka ingresses and egresses name, sorted. */
  public static Set<String> of(Module module) {
    Set<String> topics = new TreeSet<>();
    for (IngressComponent ingress : module.ingresses()) {
      if (ingress instanceof KafkaIngress kafka) {
        kafka.topics().forEach(route -> topics.add(route.topic()));
        if (kafka.deadLetterTopic() != null) {
          topics.add(kafka.deadLetterTopic());
        }
      }
    }
    for (EgressComponent egress : module.egresses()) {
      if (egress instanceof KafkaEgress kafka) {
        topics.addAll(kafka.topics());
      }
    }
    for (HttpEndpoint endpoint : module.endpoints()) {
      FailurePolicy failures = endpoint.failures();
      if (failures.deadLetterEgress() != null
          && module.egress(failures.deadLetterEgress()).orElse(null) instanceof KafkaEgress) {
        topics.add(failures.deadLetterTopic());
      }
    }
    return topics;
  }
}
