package io.keyflow.cli.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the committed output ({@code id=count} records) as it appears and checks it: every key's
 * counts must be exactly 1..c, each once.
 */
final class OutputCheck implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, BitSet> seen = new HashMap<>();
  private long records;
  private long duplicates;
  private long firstRecordNanos;

  OutputCheck(String bootstrapServers, String topic) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", "false");
    props.put("max.poll.records", "5000");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /** Reads what is committed now; returns the number of records read so far. */
  long poll() {
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
      if (records == 0) {
        firstRecordNanos = System.nanoTime();
      }
      records++;
      String value = new String(record.value(), StandardCharsets.UTF_8);
      int eq = value.lastIndexOf('=');
      String key = value.substring(0, eq);
      int count = Integer.parseInt(value.substring(eq + 1));
      BitSet counts = seen.computeIfAbsent(key, k -> new BitSet());
      if (counts.get(count)) {
        duplicates++;
      }
      counts.set(count);
    }
    return records;
  }

  long firstRecordNanos() {
    return firstRecordNanos;
  }

  /** Null if every key's outputs are exactly 1..c; otherwise what is wrong. */
  String problem(int keys, long expectedRecords) {
    if (duplicates > 0) {
      return duplicates + " duplicate outputs";
    }
    if (records != expectedRecords) {
      return records + " outputs, expected " + expectedRecords;
    }
    if (seen.size() != keys) {
      return seen.size() + " keys in the output, expected " + keys;
    }
    for (Map.Entry<String, BitSet> key : seen.entrySet()) {
      BitSet counts = key.getValue();
      int c = counts.cardinality();
      if (counts.nextClearBit(1) != c + 1 || counts.get(0)) {
        return "key " + key.getKey() + " has counts other than 1.." + c;
      }
    }
    return null;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
