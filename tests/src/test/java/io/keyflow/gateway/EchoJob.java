package io.keyflow.gateway;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.gateway.GatewayReply;
import io.keyflow.protocol.gateway.GatewayRequest;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Stands in for the Keyflow job behind a gateway, for tests of the gateway's HTTP edge: reads the
 * calls from the request topic and replies {@code echo:<body>} on the reply topic, delivering one
 * call per Idempotency-Key slot as the job does. Replies to other invocation ids can be written
 * with {@link #reply}.
 */
final class EchoJob implements AutoCloseable {
  private final String replyTopic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Thread thread;
  private final Set<String> slots = new HashSet<>();
  private volatile boolean closed;

  EchoJob(String requestTopic, String replyTopic) {
    this.replyTopic = replyTopic;
    Properties consumerProps = new Properties();
    consumerProps.put("bootstrap.servers", KafkaBroker.bootstrapServers());
    consumerProps.put("group.id", "echo-" + System.nanoTime());
    consumerProps.put("auto.offset.reset", "earliest");
    consumer =
        new KafkaConsumer<>(
            consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(java.util.List.of(requestTopic));
    Properties producerProps = new Properties();
    producerProps.put("bootstrap.servers", KafkaBroker.bootstrapServers());
    producerProps.put("linger.ms", "0");
    producer =
        new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
    thread = new Thread(this::run, "echo-job");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!closed) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        try {
          GatewayRequest request = GatewayRequest.parseFrom(record.value());
          String id = request.getInvocationId();
          int dot = id.indexOf('.');
          if (request.getIdempotent() && !slots.add(dot < 0 ? id : id.substring(0, dot))) {
            continue;
          }
          reply(id, "echo:" + request.getArgument().getValue().toStringUtf8());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new IllegalStateException("not a gateway request", e);
        }
      }
    }
  }

  /** Writes a reply to {@code invocationId}, as the job's reply egress would. */
  void reply(String invocationId, String text) {
    GatewayReply reply =
        GatewayReply.newBuilder()
            .setInvocationId(invocationId)
            .setValue(
                TypedValue.newBuilder()
                    .setTypename("gw.types/text")
                    .setHasValue(true)
                    .setValue(ByteString.copyFromUtf8(text)))
            .build();
    producer.send(
        new ProducerRecord<>(
            replyTopic, invocationId.getBytes(StandardCharsets.UTF_8), reply.toByteArray()));
    producer.flush();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.join(TimeUnit.SECONDS.toMillis(10));
    consumer.close(Duration.ofSeconds(5));
    producer.close(Duration.ofSeconds(5));
  }
}
