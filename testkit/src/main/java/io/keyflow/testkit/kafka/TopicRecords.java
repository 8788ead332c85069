package io.keyflow.testkit.kafka;

import io.keyflow.testkit.unit.KafkaRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The committed records of one topic, followed from its beginning with {@code read_committed} (as
 * consumers of an exactly-once egress read): what Keyflow wrote and committed with a checkpoint.
 * Everything read is kept, so waiting again reads nothing twice.
 *
 * <pre>{@code
 * KafkaRecord confirmed =
 *     keyflow.topic("orders").await("order o-1 confirmed",
 *         r -> r.key().equals("o-1") && r.utf8Value().contains("\"confirmed\""));
 * }</pre>
 */
public final class TopicRecords implements AutoCloseable {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final Duration timeout;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<KafkaRecord> records = new ArrayList<>();
  private final List<TopicPartition> partitions;

  /** Follows {@code topic} on {@code bootstrapServers}; awaits give up after {@code timeout}. */
  public TopicRecords(String bootstrapServers, String topic, Duration timeout) {
    this.topic = topic;
    this.timeout = timeout;
    consumer = CommittedConsumer.fromBeginning(bootstrapServers, topic);
    partitions = List.copyOf(consumer.assignment());
  }

  /** The topic's name. */
  public String topic() {
    return topic;
  }

  /**
   * Every record committed so far, in the order read (per partition: the order written): the topic
   * is read up to the end its partitions had when the call began (for {@code read_committed}, the
   * start of the oldest open transaction), so nothing committed before the call is missing.
   */
  public synchronized List<KafkaRecord> all() {
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
    long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    while (!readUpTo(end)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Could not read topic "
                + topic
                + " up to its committed end "
                + end
                + describe(READ_TIMEOUT));
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        records.add(
            new KafkaRecord(
                topic,
                r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8),
                r.value() == null ? new byte[0] : r.value()));
      }
    }
    return List.copyOf(records);
  }

  private boolean readUpTo(Map<TopicPartition, Long> end) {
    for (TopicPartition partition : partitions) {
      if (consumer.position(partition, READ_TIMEOUT) < end.getOrDefault(partition, 0L)) {
        return false;
      }
    }
    return true;
  }

  /** The committed records with {@code key}, in the order written. */
  public List<KafkaRecord> withKey(String key) {
    return all().stream().filter(r -> r.key().equals(key)).toList();
  }

  /**
   * Waits until a committed record matches, and returns the first that does.
   *
   * @param what the record awaited, for the failure message
   * @throws AssertionError after the timeout, listing every record the topic holds
   */
  public KafkaRecord await(String what, Predicate<KafkaRecord> match) {
    return await(what, timeout, match);
  }

  /** Like {@link #await(String, Predicate)}, giving up after {@code within}. */
  public KafkaRecord await(String what, Duration within, Predicate<KafkaRecord> match) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      for (KafkaRecord record : all()) {
        if (match.test(record)) {
          return record;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "No committed record on topic " + topic + " is " + what + describe(within));
      }
      betweenReads();
    }
  }

  /**
   * Waits until at least {@code count} records are committed and returns them all.
   *
   * @throws AssertionError after the timeout, listing every record the topic holds
   */
  public List<KafkaRecord> awaitCount(int count) {
    return awaitCount(count, timeout);
  }

  /** Like {@link #awaitCount(int)}, giving up after {@code within}. */
  public List<KafkaRecord> awaitCount(int count, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      List<KafkaRecord> now = all();
      if (now.size() >= count) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Expected at least "
                + count
                + " committed records on topic "
                + topic
                + describe(within));
      }
      betweenReads();
    }
  }

  /** Records commit with checkpoints, so asking again at once would mostly find nothing new. */
  private static void betweenReads() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for committed records", e);
    }
  }

  private String describe(Duration within) {
    List<KafkaRecord> now = List.copyOf(records);
    StringBuilder out =
        new StringBuilder(" within ")
            .append(within.toMillis())
            .append(" ms; it holds ")
            .append(now.size())
            .append(now.size() == 1 ? " record" : " records")
            .append(now.isEmpty() ? "" : ":");
    for (KafkaRecord record : now) {
      out.append("\n  key '")
          .append(record.key())
          .append("': ")
          .append(io.keyflow.testkit.Printable.bytes(record.value()));
    }
    return out.toString();
  }

  @Override
  public synchronized void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
