package io.keyflow.testing;

import io.keyflow.testkit.kafka.CommittedConsumer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Follows a topic with {@code read_committed} from its beginning and keeps everything it has read,
 * so a test that polls for output reads each record once instead of re-reading the topic. Like the
 * test kit's {@link io.keyflow.testkit.kafka.TopicRecords}, but with the records as the Kafka
 * client reads them (timestamps, headers), as the project's own tests check them.
 */
public final class CommittedTopicReader implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

  /** Follows {@code topic} on the shared test broker. */
  public CommittedTopicReader(String topic) {
    this(KafkaBroker.bootstrapServers(), topic);
  }

  public CommittedTopicReader(String bootstrapServers, String topic) {
    consumer = CommittedConsumer.fromBeginning(bootstrapServers, topic);
  }

  /** Everything committed so far: polls until the broker has nothing more for now. */
  public List<ConsumerRecord<byte[], byte[]>> records() {
    while (true) {
      ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
      if (batch.isEmpty()) {
        return List.copyOf(records);
      }
      batch.forEach(records::add);
    }
  }

  /** The UTF-8 values of {@link #records()} that start with one of {@code prefixes}. */
  public List<String> values(String... prefixes) {
    List<String> values = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records()) {
      String value = new String(r.value(), StandardCharsets.UTF_8);
      for (String prefix : prefixes) {
        if (value.startsWith(prefix)) {
          values.add(value);
          break;
        }
      }
    }
    return values;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
