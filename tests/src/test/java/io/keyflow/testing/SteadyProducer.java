package io.keyflow.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes one record every few milliseconds, cycling over {@code keys} keys ({@code prefix0}, {@code
 * prefix1}, ...), until stopped. Its producer is idempotent and waits up to three minutes for the
 * broker instead of failing, so records sent while the broker is down arrive once it is back: the
 * input itself is exactly what was sent, whatever the outage.
 */
public final class SteadyProducer implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final String prefix;
  private final int keys;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean running = true;

  private SteadyProducer(
      String bootstrapServers, String topic, String prefix, int keys, Duration every) {
    this.topic = topic;
    this.prefix = prefix;
    this.keys = keys;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                "bootstrap.servers", bootstrapServers,
                "acks", "all",
                "enable.idempotence", "true",
                "delivery.timeout.ms", "180000",
                "max.block.ms", "180000"),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    this.thread = new Thread(() -> produce(every), "steady-producer-" + topic);
    thread.setDaemon(true);
  }

  /** Starts writing to {@code topic} at once. */
  public static SteadyProducer start(
      String bootstrapServers, String topic, String prefix, int keys, Duration every) {
    SteadyProducer load = new SteadyProducer(bootstrapServers, topic, prefix, keys, every);
    load.thread.start();
    return load;
  }

  private void produce(Duration every) {
    try {
      while (running) {
        int i = sent.get();
        String key = prefix + (i % keys);
        producer.send(
            new ProducerRecord<>(
                topic, key.getBytes(StandardCharsets.UTF_8), "x".getBytes(StandardCharsets.UTF_8)),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
        sent.incrementAndGet();
        Thread.sleep(every.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Records handed to the producer so far. */
  public int sent() {
    return sent.get();
  }

  /**
   * Stops writing and waits until the broker acknowledged every record (at most three minutes, the
   * producer's delivery timeout); returns how many there are.
   */
  public int stop(Duration timeout) throws Exception {
    running = false;
    thread.join(timeout.toMillis());
    producer.flush();
    Exception e = failure.get();
    if (e != null) {
      throw new AssertionError("the test's input was not written completely", e);
    }
    return sent.get();
  }

  /** The counts a counter function reports for {@code records} records: each exactly once. */
  public Set<String> expectedCounts(int records) {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < records; i++) {
      expected.add(prefix + (i % keys) + "=" + (i / keys + 1));
    }
    return expected;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    producer.close(Duration.ofSeconds(5));
  }
}
