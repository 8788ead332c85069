package io.keyflow.io.kafka;

import io.keyflow.io.StartCheck;
import io.keyflow.module.ModuleException;
import java.util.List;
import java.util.Map;

/**
 * Topics that module.yaml names and a component needs to exist when it starts, on the Kafka cluster
 * the component reaches with its client properties: the topics of a Kafka ingress, a gateway's
 * request topic, an exactly-once egress's declared topics or a gateway's reply topic. All the
 * declared topics of a module are checked together, one question per cluster ({@link
 * DeclaredTopicsCheck}).
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
    TopicsDeclaration declared)
    implements StartCheck {

  public DeclaredTopics {
    topics = List.copyOf(topics);
    properties = Map.copyOf(properties);
  }

  /**
   * The check of every module's declared topics: it refuses to start while one of the topics does
   * not exist, naming where module.yaml declares it and the fix; a Kafka that does not answer
   * within a few seconds is only warned about.
   */
  @Override
  public StartCheck.Batch batch() {
    return DeclaredTopicsCheck.BATCH;
  }

  /**
   * The error that refuses to start when Kafka answers that the {@code missing} topics do not
   * exist: it names where module.yaml declares them, the topics, the Kafka cluster and the fix.
   */
  public ModuleException refusal(List<String> missing) {
    boolean one = missing.size() == 1;
    String named =
        one
            ? "topic " + missing.get(0) + ", which does"
            : "topics " + String.join(", ", missing) + ", which do";
    TopicsDeclaration.Use use = declared.use();
    return ModuleException.at(
        declared.file(),
        declared.document(),
        declared.kind(),
        declared.field(),
        declared.component()
            + " "
            + declared.verb()
            + " "
            + named
            + " not exist on "
            + bootstrapServers
            + ". "
            + use.why()
            + ", so "
            + use.consequence()
            + " until "
            + (one ? "it exists" : "they exist"),
        (one ? "the topic" : "the topics")
            + " created before "
            + use.starting()
            + " starts (for example kafka-topics.sh --bootstrap-server "
            + bootstrapServers
            + " --create --topic "
            + missing.get(0)
            + "), or "
            + declared.otherFix());
  }

  /** The cluster the component reaches, which the question about these topics goes to. */
  KafkaCluster cluster() {
    return KafkaCluster.of(bootstrapServers, properties);
  }
}
