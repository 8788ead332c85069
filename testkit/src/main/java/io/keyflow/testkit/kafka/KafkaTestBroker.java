package io.keyflow.testkit.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker in this JVM: the Kafka server in KRaft combined mode, one node, on a free
 * port, with its data in a temporary directory that closing removes. Topics it creates are ready
 * (every partition has a leader) when the call returns.
 *
 * <pre>{@code
 * try (KafkaTestBroker kafka = KafkaTestBroker.start()) {
 *   kafka.createTopics(List.of("in"), 2);
 *   kafka.produce("in", "key", "value".getBytes(UTF_8));
 * }
 * }</pre>
 */
public final class KafkaTestBroker implements AutoCloseable {
  /** Partitions of topics the broker creates on first use (egress topics, for example). */
  public static final int DEFAULT_PARTITIONS = 2;

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final KafkaClusterTestKit kit;
  private final KafkaProducer<byte[], byte[]> producer;

  private KafkaTestBroker(KafkaClusterTestKit kit) {
    this.kit = kit;
    Properties props = new Properties();
    props.put("bootstrap.servers", kit.bootstrapServers());
    props.put("acks", "all");
    // One request in flight: a batch retried after a leadership change cannot then be refused as
    // out of sequence behind later ones, which would drop it after the delivery timeout.
    props.put("max.in.flight.requests.per.connection", "1");
    props.put("linger.ms", "0");
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Starts a broker and waits until it serves requests. */
  public static KafkaTestBroker start() {
    KafkaClusterTestKit kit = null;
    try {
      kit =
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
              .setConfigProp("num.partitions", Integer.toString(DEFAULT_PARTITIONS))
              .build();
      kit.format();
      kit.startup();
      kit.waitForReadyBrokers();
      return new KafkaTestBroker(kit);
    } catch (Exception e) {
      if (kit != null) {
        try {
          kit.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not start the test Kafka broker: " + e, e);
    }
  }

  /** For example {@code 127.0.0.1:41234}. */
  public String bootstrapServers() {
    return kit.bootstrapServers();
  }

  /**
   * Creates the topics that do not exist yet and waits until every partition has a leader, so
   * producers and consumers can use them at once.
   */
  public void createTopics(Collection<String> topics, int partitions) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      for (String topic : topics) {
        try {
          admin
              .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
              .all()
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("could not create topic " + topic + ": " + e, e);
          }
        }
      }
      for (String topic : topics) {
        awaitLeaders(admin, topic);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + topics, e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the broker did not create " + topics + " within " + WAIT);
    }
  }

  private static void awaitLeaders(Admin admin, String topic) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        var description =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .get(topic);
        if (description.partitions().stream().allMatch(p -> p.leader() != null)) {
          return;
        }
      } catch (ExecutionException | java.util.concurrent.TimeoutException notYet) {
        // The topic's metadata has not reached the broker yet; ask again below.
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("topic " + topic + " has no leader after " + WAIT);
      }
      Thread.sleep(20);
    }
  }

  /** Writes a record with a UTF-8 key and value (either may be null) and waits for its ack. */
  public void produce(String topic, String key, String value) {
    produce(topic, utf8(key), utf8(value));
  }

  /** Writes a record and waits until the broker acknowledged it. */
  public void produce(String topic, byte[] key, byte[] value) {
    List<Future<?>> sent = new ArrayList<>(1);
    sent.add(producer.send(new ProducerRecord<>(topic, key, value)));
    producer.flush();
    try {
      for (Future<?> future : sent) {
        future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to " + topic, e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "the broker refused a record for topic " + topic + ": " + e, e);
    }
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    try {
      producer.close(Duration.ofSeconds(5));
    } finally {
      kit.close();
    }
  }
}
