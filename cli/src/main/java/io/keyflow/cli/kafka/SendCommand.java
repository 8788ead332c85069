package io.keyflow.cli.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keyflow send}: produces one record to a topic, for poking at a running app. */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = {
      "Produces one record (key and value as UTF-8 text) to a Kafka topic and waits until the"
          + " broker has it. With a Kafka ingress the key is the id of the function instance."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow send --topic inventory --key apple '{\"action\":\"restock\",\"quantity\":10,"
          + "\"price\":150}'",
      "  keyflow send --topic cart --key alice '{\"action\":\"add\",\"item\":\"apple\"}'",
      "  keyflow send --topic cart --key alice '{\"action\":\"checkout\"}'"
    })
public final class SendCommand implements Callable<Integer> {
  @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic.")
  String topic;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description = "The record key (the target function's id); none if omitted.")
  String key;

  @Parameters(index = "0", paramLabel = "VALUE", description = "The record value.")
  String value;

  @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

  @Override
  public Integer call() throws Exception {
    Properties props = new Properties();
    props.put("max.block.ms", "15000");
    props.put("delivery.timeout.ms", "30000");
    props.put("request.timeout.ms", "15000");
    props.putAll(kafka.clientProperties());
    props.put("acks", "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      RecordMetadata sent =
          producer
              .send(
                  new ProducerRecord<>(
                      topic,
                      key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                      value.getBytes(StandardCharsets.UTF_8)))
              .get(45, TimeUnit.SECONDS);
      System.out.printf(
          "sent to %s partition %d offset %d%n", sent.topic(), sent.partition(), sent.offset());
      return 0;
    }
  }
}
