package io.keyflow.testkit.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumers that read a topic as the consumers of an exactly-once egress do: {@code
 * read_committed}, so only what Keyflow committed with a checkpoint.
 */
public final class CommittedConsumer {
  private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

  private CommittedConsumer() {}

  /**
   * A {@code read_committed} consumer assigned every partition of {@code topic} at its beginning.
   * It belongs to no consumer group and commits no offsets, so any number can read the same topic.
   */
  public static KafkaConsumer<byte[], byte[]> fromBeginning(String bootstrapServers, String topic) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", "false");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, METADATA_TIMEOUT).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      return consumer;
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw e;
    }
  }
}
