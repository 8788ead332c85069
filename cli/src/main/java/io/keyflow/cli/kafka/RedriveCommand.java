package io.keyflow.cli.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.reqreply.Address;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
          + " topic stopped (consumer group keyflow-redrive-<from>). Copies and position commit"
          + " together in Kafka transactions, so a run that fails (it says so and exits 1) or"
          + " dies leaves what it did not move in place, and a rerun moves each dead letter once."
          + " With --function or --id only matching dead letters are copied and the position is"
          + " not advanced, so a later unfiltered run still sees the others (and copies the"
          + " matching ones again)."
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

  @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  @Override
  public Integer call() throws Exception {
    boolean filtered = function != null || id != null;
    String group = "keyflow-redrive-" + from;
    Properties consumerProps = kafka.clientProperties();
    consumerProps.put("group.id", group);
    consumerProps.put("enable.auto.commit", "false");
    consumerProps.put("auto.offset.reset", "earliest");
    consumerProps.put("isolation.level", "read_committed");
    Properties producerProps = kafka.clientProperties();
    producerProps.put("acks", "all");
    producerProps.put("enable.idempotence", "true");
    // One id per pair of topics: a redrive that died mid-transaction is fenced and its
    // transaction aborted when the next one starts, so nothing it copied is seen twice.
    producerProps.put("transactional.id", "keyflow-redrive-" + from + "-" + to);
    Tally tally = new Tally();
    Duration idleLimit =
        Duration.ofMillis(
            Long.parseLong(consumerProps.getProperty("default.api.timeout.ms", "60000")));
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    KafkaProducer<byte[], byte[]> producer = null;
    try {
      producer =
          new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
      List<TopicPartition> partitions =
          consumer.partitionsFor(from, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(from, p.partition()))
              .toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      if (!dryRun) {
        producer.initTransactions();
      }
      long lastRead = System.nanoTime();
      while (!reached(consumer, end)) {
        ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
        if (polled.isEmpty()) {
          if (System.nanoTime() - lastRead > idleLimit.toNanos()) {
            System.err.printf(
                "Redrive failed: nothing could be read from %s for %d s though dead letters"
                    + " remain; is Kafka reachable? %d dead letter(s) were moved before; the"
                    + " others stay in %s and a rerun moves them.%n",
                from, idleLimit.toSeconds(), tally.committedLetters, from);
            return 1;
          }
          continue;
        }
        lastRead = System.nanoTime();
        if (dryRun) {
          polled.forEach(record -> copy(record, null, tally));
          continue;
        }
        // Each poll's letters and the position after them commit together or not at all.
        producer.beginTransaction();
        try {
          Map<TopicPartition, OffsetAndMetadata> position = new HashMap<>();
          for (ConsumerRecord<byte[], byte[]> record : polled) {
            copy(record, producer, tally);
            position.put(
                new TopicPartition(record.topic(), record.partition()),
                new OffsetAndMetadata(record.offset() + 1));
          }
          if (!filtered) {
            producer.sendOffsetsToTransaction(position, new ConsumerGroupMetadata(group));
          }
          producer.commitTransaction();
          tally.committed();
        } catch (KafkaException e) {
          abortQuietly(producer);
          System.err.printf(
              "Redrive failed: %s. %d dead letter(s) were moved before it; the others stay in %s"
                  + " and a rerun moves them.%n",
              describe(e), tally.committedLetters, from);
          return 1;
        }
      }
    } finally {
      // Bounded: with Kafka gone, closing without a timeout waits for it forever.
      if (producer != null) {
        producer.close(CLOSE_TIMEOUT);
      }
      consumer.close(CLOSE_TIMEOUT);
    }
    System.out.printf(
        "%s %d dead letter(s), %d message(s), from %s to %s%s%n",
        dryRun ? "Would redrive" : "Redrove",
        tally.letters,
        tally.messages,
        from,
        to,
        tally.skipped > 0 ? "; " + tally.skipped + " did not match the filter" : "");
    return 0;
  }

  /** What a run has seen and moved. */
  private static final class Tally {
    int letters;
    int messages;
    int skipped;
    int committedLetters;
    private int pending;

    void committed() {
      committedLetters += pending;
      pending = 0;
    }
  }

  /** Copies one dead letter if it matches the filter; with no producer, only lists it. */
  private void copy(
      ConsumerRecord<byte[], byte[]> record, KafkaProducer<byte[], byte[]> producer, Tally tally) {
    DeadLetter letter;
    try {
      letter = DeadLetter.parseFrom(record.value());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          from
              + " partition "
              + record.partition()
              + " offset "
              + record.offset()
              + " is not a dead letter; is --from a dead-letter topic?",
          e);
    }
    if (!matches(letter.getAddress())) {
      tally.skipped++;
      return;
    }
    tally.letters++;
    tally.messages += letter.getMessagesCount();
    System.out.println(
        (producer == null ? "would redrive " : "redriving ")
            + letter.getMessagesCount()
            + " message(s) for "
            + address(letter.getAddress())
            + " (gave up after "
            + letter.getAttempts()
            + " attempt(s): "
            + letter.getError()
            + ")"
            + (letter.getDroppedMessages() > 0
                ? "; "
                    + letter.getDroppedMessages()
                    + " more were left out of the dead letter"
                    + " and are only in the job's log"
                : ""));
    if (producer != null) {
      producer.send(new ProducerRecord<>(to, record.key(), record.value()));
      tally.pending++;
    }
  }

  private static void abortQuietly(KafkaProducer<byte[], byte[]> producer) {
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      // Fenced or the broker is gone: the broker aborts the transaction when it times out, or
      // when the next redrive of these topics starts.
    }
  }

  private static String describe(Throwable e) {
    StringBuilder out = new StringBuilder(e.getClass().getSimpleName() + ": " + e.getMessage());
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      out.append("; caused by ")
          .append(cause.getClass().getSimpleName())
          .append(": ")
          .append(cause.getMessage());
    }
    return out.toString();
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
