package io.keyflow.io.gateway;

import io.keyflow.protocol.gateway.GatewayReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of the reply topic into the {@link ReplyStore}, so that any gateway
 * instance can answer a call, a fetch or a retry whichever instance wrote the call. It starts at
 * the replies written within the idempotency window, so a restarted instance still knows them.
 */
final class ReplyListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyListener.class);

  private final GatewaySpec spec;
  private final ReplyStore store;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final java.util.concurrent.atomic.AtomicLong read =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  ReplyListener(GatewaySpec spec, ReplyStore store) {
    this.spec = spec;
    this.store = store;
    Properties props = new Properties();
    props.putAll(spec.properties());
    props.put("bootstrap.servers", spec.bootstrapServers());
    // Exactly-once replies are only final once their transaction commits.
    props.put("isolation.level", spec.exactlyOnceReplies() ? "read_committed" : "read_uncommitted");
    props.put("enable.auto.commit", "false");
    props.put("client.id", "keyflow-gateway-replies-" + spec.id().name());
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "keyflow-gateway-replies");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Whether the replies of the idempotency window have been read. */
  boolean caughtUp() {
    return caughtUp.getCount() == 0;
  }

  /** Whether it still reads replies (it stops only when closed or on an unexpected error). */
  boolean reading() {
    return thread.isAlive() && !closed;
  }

  /** Replies read so far. */
  long repliesRead() {
    return read.get();
  }

  /** Waits until the replies of the idempotency window have been read; false on timeout. */
  boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      List<TopicPartition> partitions = partitions();
      consumer.assign(partitions);
      Map<TopicPartition, Long> since = new HashMap<>();
      long from = System.currentTimeMillis() - spec.idempotencyTtl().toMillis();
      partitions.forEach(p -> since.put(p, from));
      Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(since);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      for (TopicPartition p : partitions) {
        OffsetAndTimestamp start = starts.get(p);
        consumer.seek(p, start == null ? ends.get(p) : start.offset());
      }
      while (!closed) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        long oldest = Long.MAX_VALUE;
        for (ConsumerRecord<byte[], byte[]> record : records) {
          accept(record);
          oldest = Math.min(oldest, record.timestamp());
        }
        if (!records.isEmpty() && LOG.isDebugEnabled()) {
          long now = System.currentTimeMillis();
          LOG.debug(
              "Gateway {} read {} replies at {}, the oldest written {} ms before",
              spec.id(),
              records.count(),
              now,
              now - oldest);
        }
        if (caughtUp.getCount() > 0 && reached(ends)) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        LOG.error("Gateway {} stopped reading replies from {}", spec.id(), spec.replyTopic(), e);
      }
    } catch (RuntimeException e) {
      LOG.error("Gateway {} stopped reading replies from {}", spec.id(), spec.replyTopic(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private List<TopicPartition> partitions() {
    while (!closed) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(spec.replyTopic(), Duration.ofSeconds(30));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        infos = null;
      }
      if (infos != null && !infos.isEmpty()) {
        List<TopicPartition> out = new ArrayList<>();
        infos.forEach(info -> out.add(new TopicPartition(info.topic(), info.partition())));
        return out;
      }
      LOG.warn("Gateway {} waits for the reply topic {} to exist", spec.id(), spec.replyTopic());
    }
    throw new WakeupException();
  }

  private boolean reached(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void accept(ConsumerRecord<byte[], byte[]> record) {
    GatewayReply reply;
    try {
      reply = GatewayReply.parseFrom(record.value());
    } catch (com.google.protobuf.InvalidProtocolBufferException | NullPointerException e) {
      LOG.warn(
          "Gateway {} ignores the record at {}/{} offset {}: not a gateway reply",
          spec.id(),
          record.topic(),
          record.partition(),
          record.offset());
      return;
    }
    read.incrementAndGet();
    store.put(
        reply.getInvocationId(),
        reply.getValue().getTypename(),
        reply.getValue().getValue().toByteArray(),
        record.timestamp());
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    consumer.wakeup();
    thread.join(TimeUnit.SECONDS.toMillis(10));
  }
}
