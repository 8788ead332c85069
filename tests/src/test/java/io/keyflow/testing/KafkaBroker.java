package io.keyflow.testing;

import io.keyflow.testkit.kafka.KafkaTestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test kit's Kafka broker ({@link KafkaTestBroker}: KRaft, one node, in the test JVM), started
 * once and shared by every test class that registers this extension; stopped when the JVM ends.
 */
public final class KafkaBroker implements BeforeAllCallback {
  private static KafkaTestBroker cluster;

  @Override
  public void beforeAll(ExtensionContext context) {
    // The root store closes the broker when the test plan ends, before the JVM exits. Closing it
    // from a shutdown hook instead raced the hooks that delete its log directory, and a broker
    // whose log directory vanishes halts the JVM with a non-zero exit code.
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(KafkaBroker.class))
        .getOrComputeIfAbsent("broker", key -> start(), Running.class);
  }

  private static synchronized Running start() {
    KafkaTestBroker broker = KafkaTestBroker.start();
    cluster = broker;
    return new Running(broker);
  }

  /** The running broker, closed with the root extension context. */
  private record Running(KafkaTestBroker broker) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      synchronized (KafkaBroker.class) {
        cluster = null;
      }
      broker.close();
    }
  }

  public static String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** Creates a topic and waits until every partition has a leader, so producers can use it. */
  public static void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!led(admin, topic, partitions)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + topic + " has no leader after 30 s");
        }
        Thread.sleep(20);
      }
    }
  }

  private static boolean led(Admin admin, String topic, int partitions) throws Exception {
    try {
      var description =
          admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
      return description.partitions().size() == partitions
          && description.partitions().stream().allMatch(p -> p.leader() != null);
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    }
  }

  /** Produces records (key, value as UTF-8; a null stays null) and waits until acknowledged. */
  public static void produce(String topic, List<String[]> records) throws Exception {
    produceAt(topic, null, records);
  }

  /** Like {@link #produce}, with the given record timestamp (null: the producer's clock). */
  public static void produceAt(String topic, Long timestamp, List<String[]> records)
      throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers());
    props.put("acks", "all");
    // One request in flight: a batch retried after a leadership change cannot then be refused as
    // out of sequence behind later ones, which would drop it after the delivery timeout.
    props.put("max.in.flight.requests.per.connection", "1");
    List<java.util.concurrent.Future<?>> sent = new ArrayList<>(records.size());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String[] kv : records) {
        sent.add(
            producer.send(
                new ProducerRecord<>(topic, null, timestamp, bytes(kv[0]), bytes(kv[1]))));
      }
      producer.flush();
      // A record the broker refused fails the test here, not later as missing output.
      for (java.util.concurrent.Future<?> future : sent) {
        future.get(2, TimeUnit.MINUTES);
      }
    }
  }

  /** Every committed record of {@code topic} from the beginning, read with read_committed. */
  public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, Duration quiet) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers());
    props.put("isolation.level", "read_committed");
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    props.put("group.id", "verify-" + System.nanoTime());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long idleSince = System.nanoTime();
      while (System.nanoTime() - idleSince < quiet.toNanos()) {
        var batch = consumer.poll(Duration.ofMillis(200));
        if (!batch.isEmpty()) {
          batch.forEach(out::add);
          idleSince = System.nanoTime();
        }
      }
    }
    return out;
  }

  /** The offsets {@code group} has committed, by partition (partitions without one left out). */
  public static Map<TopicPartition, Long> committedOffsets(String group) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      Map<TopicPartition, Long> offsets = new TreeMap<>(PARTITION_ORDER);
      admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS)
          .forEach(
              (partition, offset) -> {
                if (offset != null) {
                  offsets.put(partition, offset.offset());
                }
              });
      return offsets;
    }
  }

  /** The end offset of every partition of {@code topics}: where the next record will go. */
  public static Map<TopicPartition, Long> endOffsets(String... topics) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      var described =
          admin.describeTopics(List.of(topics)).allTopicNames().get(30, TimeUnit.SECONDS);
      described.forEach(
          (topic, description) ->
              description
                  .partitions()
                  .forEach(
                      p ->
                          latest.put(
                              new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
      Map<TopicPartition, Long> offsets = new TreeMap<>(PARTITION_ORDER);
      admin
          .listOffsets(latest)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((partition, info) -> offsets.put(partition, info.offset()));
      return offsets;
    }
  }

  private static final Comparator<TopicPartition> PARTITION_ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
