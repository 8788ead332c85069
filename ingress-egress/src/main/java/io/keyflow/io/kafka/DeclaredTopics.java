package io.keyflow.io.kafka;

import io.keyflow.module.ModuleException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Topics that module.yaml names and a component needs to exist when the job starts, on the Kafka
 * cluster the component reaches with its client properties: the topics of a Kafka ingress, a
 * gateway's request topic, an exactly-once egress's declared topics or a gateway's reply topic.
 *
 * @param topics the topics that must exist
 * @param bootstrapServers the Kafka cluster of the topics
 * @param properties the component's Kafka client properties; their security settings are used
 * @param declared where module.yaml names them, for the error when one does not exist
 */
public record DeclaredTopics(
    List<String> topics,
    String bootstrapServers,
    Map<String, String> properties,
    TopicsDeclaration declared) {

  /**
   * Refuses to start while one of the topics does not exist, naming where module.yaml declares it
   * and the fix; a Kafka that does not answer within a few seconds is only warned about ({@link
   * DeclaredTopicsCheck}).
   */
  public void checkBeforeStart() {
    DeclaredTopicsCheck.check(topics, clientProperties(), declared, DeclaredTopicsCheck.BOUND);
  }

  /**
   * The error that refuses the job when Kafka answers that the {@code missing} topics do not exist:
   * it names where module.yaml declares them, the topics, the Kafka cluster and the fix.
   */
  public ModuleException refusal(List<String> missing) {
    return DeclaredTopicsCheck.refusal(declared, bootstrapServers, missing);
  }

  /** The component's Kafka client properties, with its address. */
  Map<String, String> clientProperties() {
    Map<String, String> client = new HashMap<>(properties);
    client.put("bootstrap.servers", bootstrapServers);
    return client;
  }
}
