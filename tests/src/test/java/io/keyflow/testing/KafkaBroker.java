package io.keyflow.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (the Kafka server in KRaft combined mode, one node) in the test JVM, started
 * once and shared by every test class that registers this extension; stopped when the JVM ends.
 */
public final class KafkaBroker implements BeforeAllCallback {
  private static KafkaClusterTestKit cluster;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  private static synchronized void start() throws Exception {
    if (cluster != null) {
      return;
    }
    KafkaClusterTestKit kit =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("num.partitions", "2")
            .build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
    cluster = kit;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    kit.close();
                  } catch (Exception e) {
                    // The JVM is ending.
                  }
                }));
  }

  public static String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  public static void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
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
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String[] kv : records) {
        producer.send(new ProducerRecord<>(topic, null, timestamp, bytes(kv[0]), bytes(kv[1])));
      }
      producer.flush();
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

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
