package io.keyflow.cli.kafka;

import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.reqreply.Address;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyflow redrive}: sends dead-lettered messages back to their addresses. */
@Command(
    name = "redrive",
    mixinStandardHelpOptions = true,
    description = {
      "Copies dead letters (batches Keyflow gave up delivering) from the dead-letter topic to a"
          + " redrive topic, which the module reads with an ingress topic marked 'deadLetters:"
          + " true': each message then goes to the address it was for. Run it once the function"
          + " is fixed.",
      "Reads the dead letters present when it starts, from where the last redrive of the same"
          + " topic stopped (consumer group keyflow-redrive-<from>). With --function or --id only"
          + " matching dead letters are copied and the position is not advanced, so a later"
          + " unfiltered run still sees the others."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow redrive --from keyflow-dead-letters --to shop-redrive",
      "  keyflow redrive --from keyflow-dead-letters --to shop-redrive --function shop/checkout"
    })
public final class RedriveCommand implements Callable<Integer> {
  @Option(
      names = "--from",
      required = true,
      paramLabel = "TOPIC",
      description = "The dead-letter topic.")
  String from;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "TOPIC",
      description = "The redrive topic (an ingress topic with deadLetters: true).")
  String to;

  @Option(
      names = "--function",
      paramLabel = "NAMESPACE/TYPE",
      description = "Only dead letters for this function type.")
  String function;

  @Option(names = "--id", paramLabel = "ID", description = "Only dead letters for this id.")
  String id;

  @Option(
      names = "--dry-run",
      description = "List what would be redriven without writing or moving the position.")
  boolean dryRun;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:9092",
      description = "Kafka (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Override
  public Integer call() throws Exception {
    boolean filtered = function != null || id != null;
    Properties consumerProps = new Properties();
    consumerProps.put("bootstrap.servers", bootstrapServers);
    consumerProps.put("group.id", "keyflow-redrive-" + from);
    consumerProps.put("enable.auto.commit", "false");
    consumerProps.put("auto.offset.reset", "earliest");
    consumerProps.put("isolation.level", "read_committed");
    Properties producerProps = new Properties();
    producerProps.put("bootstrap.servers", bootstrapServers);
    producerProps.put("acks", "all");
    producerProps.put("enable.idempotence", "true");
    int letters = 0;
    int messages = 0;
    int skipped = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(from, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(from, p.partition()))
              .toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      Map<TopicPartition, OffsetAndMetadata> position = new HashMap<>();
      while (!reached(consumer, end)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          position.put(
              new TopicPartition(record.topic(), record.partition()),
              new OffsetAndMetadata(record.offset() + 1));
          DeadLetter letter = DeadLetter.parseFrom(record.value());
          if (!matches(letter.getAddress())) {
            skipped++;
            continue;
          }
          letters++;
          messages += letter.getMessagesCount();
          System.out.println(
              (dryRun ? "would redrive " : "redriving ")
                  + letter.getMessagesCount()
                  + " message(s) for "
                  + address(letter.getAddress())
                  + " (gave up after "
                  + letter.getAttempts()
                  + " attempt(s): "
                  + letter.getError()
                  + ")");
          if (!dryRun) {
            producer.send(new ProducerRecord<>(to, record.key(), record.value()));
          }
        }
      }
      producer.flush();
      if (!dryRun && !filtered && !position.isEmpty()) {
        consumer.commitSync(position);
      }
    }
    System.out.printf(
        "%s %d dead letter(s), %d message(s), from %s to %s%s%n",
        dryRun ? "Would redrive" : "Redrove",
        letters,
        messages,
        from,
        to,
        skipped > 0 ? "; " + skipped + " did not match the filter" : "");
    return 0;
  }

  private static boolean reached(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private boolean matches(Address address) {
    String type = address.getNamespace() + "/" + address.getType();
    return (function == null || function.equals(type))
        && (id == null || id.equals(address.getId()));
  }

  private static String address(Address address) {
    return address.getNamespace() + "/" + address.getType() + "/" + address.getId();
  }
}
