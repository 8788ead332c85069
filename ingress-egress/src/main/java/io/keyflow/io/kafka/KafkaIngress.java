package io.keyflow.io.kafka;

import io.keyflow.io.Ingress;
import io.keyflow.io.StartCheck;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.internal.Envelope;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Kafka ingress ({@code io.statefun.kafka.v1/ingress}) on Flink's {@code KafkaSource}.
 *
 * @param declared where module.yaml declares this ingress, named by errors about its topics
 */
public record KafkaIngress(
    TypeName id,
    String bootstrapServers,
    String groupId,
    List<TopicRoute> topics,
    StartupPosition startupPosition,
    Map<String, String> properties,
    InvalidRecordPolicy invalidRecords,
    String deadLetterTopic,
    ModuleDocument declared)
    implements Ingress {

  public KafkaIngress {
    topics = List.copyOf(topics);
    properties = Map.copyOf(properties);
  }

  /** Security and client settings apply to the dead-letter producer too; consumer ones do not. */
  private Map<String, String> producerProperties() {
    Map<String, String> out = new java.util.HashMap<>();
    properties.forEach(
        (k, v) -> {
          if (k.startsWith("security.") || k.startsWith("ssl.") || k.startsWith("sasl.")) {
            out.put(k, v);
          }
        });
    return out;
  }

  /**
   * The topics it reads, which must exist when the job starts: the source's partition discovery
   * would fail on a missing one, and the job would restart until it is created. A Kafka that does
   * not answer within a few seconds is only warned about ({@link DeclaredTopics#batch()}).
   */
  @Override
  public List<StartCheck> startChecks() {
    return List.of(declaredTopics());
  }

  /** The topics this ingress reads, which must exist before it starts. */
  DeclaredTopics declaredTopics() {
    return new DeclaredTopics(
        topics.stream().map(TopicRoute::topic).toList(),
        bootstrapServers,
        properties,
        new TopicsDeclaration(
            declared.file(),
            declared.document(),
            KafkaIngressBinder.KIND,
            "spec.topics",
            "ingress " + id,
            "reads",
            TopicsDeclaration.Use.SOURCE,
            "spec.topics naming topics that exist"));
  }

  @Override
  public DataStream<Envelope> createStream(StreamExecutionEnvironment env, String uidPrefix) {
    KafkaSourceBuilder<Envelope> source = KafkaSource.builder();
    // Properties first: the ingress's own address and group win, as in StateFun.
    properties.forEach(source::setProperty);
    source
        .setBootstrapServers(bootstrapServers)
        .setGroupId(groupId)
        .setTopics(topics.stream().map(TopicRoute::topic).toList())
        .setStartingOffsets(startupPosition.initializer())
        .setDeserializer(
            new KafkaRecordRouter(
                id,
                topics,
                invalidRecords,
                new DeadLetters.Config(bootstrapServers, deadLetterTopic, producerProperties())));
    return env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "kafka " + id)
        .uid(uidPrefix + "-source");
  }
}
