package io.keyflow.io.kafka;

import io.keyflow.module.TypeName;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records an ingress cannot route to a dead-letter topic: key and value unchanged, and
 * headers {@code keyflow.reason}, {@code keyflow.ingress}, {@code keyflow.source} (topic, partition
 * and offset). Each write waits for the broker's acknowledgement, so a record is never skipped
 * before it is safely dead-lettered.
 */
final class DeadLetters {
  /** Where dead letters go. */
  record Config(String bootstrapServers, String topic, Map<String, String> properties)
      implements Serializable {}

  /**
   * One producer per configuration and job classloader, shared by the subtasks and task attempts of
   * that job in this JVM: a deserialization schema has no close hook, so producers are closed when
   * Flink releases the job's classloader instead.
   */
  private static final Map<Config, KafkaProducer<byte[], byte[]>> PRODUCERS =
      new ConcurrentHashMap<>();

  private final Config config;
  private final Counter written;
  private final UserCodeClassLoader classLoader;
  private KafkaProducer<byte[], byte[]> producer;

  DeadLetters(Config config, Counter written, UserCodeClassLoader classLoader) {
    this.config = config;
    this.written = written;
    this.classLoader = classLoader;
  }

  private KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      producer = PRODUCERS.computeIfAbsent(config, DeadLetters::newProducer);
      classLoader.registerReleaseHookIfAbsent(
          "keyflow-dead-letters-" + config.bootstrapServers() + "-" + config.topic(),
          () -> {
            KafkaProducer<byte[], byte[]> shared = PRODUCERS.remove(config);
            if (shared != null) {
              shared.close(Duration.ofSeconds(10));
            }
          });
    }
    return producer;
  }

  private static KafkaProducer<byte[], byte[]> newProducer(Config config) {
    Properties props = new Properties();
    config.properties().forEach(props::setProperty);
    props.setProperty("bootstrap.servers", config.bootstrapServers());
    props.setProperty("acks", "all");
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  void write(TypeName ingress, ConsumerRecord<byte[], byte[]> record, String reason)
      throws IOException {
    ProducerRecord<byte[], byte[]> letter =
        new ProducerRecord<>(config.topic(), record.key(), record.value());
    letter.headers().add("keyflow.reason", utf8(reason));
    letter.headers().add("keyflow.ingress", utf8(ingress.toString()));
    letter
        .headers()
        .add(
            "keyflow.source",
            utf8(record.topic() + "/" + record.partition() + "@" + record.offset()));
    try {
      producer().send(letter).get();
    } catch (ExecutionException e) {
      throw new IOException(
          "writing a dead letter to " + config.topic() + " failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing a dead letter to " + config.topic(), e);
    }
    written.inc();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
