package io.keyflow.io.gateway;

import io.keyflow.protocol.gateway.GatewayRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes calls to the request topic, keyed by the target's id. A call is accepted only once Kafka
 * has it on all in-sync replicas, so an acknowledged call survives the gateway.
 */
final class RequestLog implements AutoCloseable {
  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;

  RequestLog(GatewaySpec spec) {
    this.topic = spec.requestTopic();
    Properties props = new Properties();
    props.put("linger.ms", "0");
    // A call waits this long at most for the topic's metadata, not Kafka's default minute.
    props.put("max.block.ms", "10000");
    props.putAll(spec.properties());
    props.put("bootstrap.servers", spec.bootstrapServers());
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.put("client.id", "keyflow-gateway-requests-" + spec.id().name());
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Completes once the call is durable in Kafka; fails with Kafka's error otherwise. */
  CompletableFuture<Void> write(GatewayRequest request) {
    CompletableFuture<Void> written = new CompletableFuture<>();
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topic,
            request.getTarget().getId().getBytes(StandardCharsets.UTF_8),
            request.toByteArray());
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              written.completeExceptionally(error);
            } else {
              written.complete(null);
            }
          });
    } catch (RuntimeException e) {
      written.completeExceptionally(e);
    }
    return written;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
