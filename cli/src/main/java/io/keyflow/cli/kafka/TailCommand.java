package io.keyflow.cli.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keyflow tail}: follows a topic and prints its records as text. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Follows a Kafka topic and prints each record as 'key: value'. Values are shown as text:"
          + " UTF-8 as is; StateFun typed values (strings, numbers, booleans) and"
          + " KafkaProducerRecord messages decoded; other bytes in hex.",
      "Reads only committed records (read_committed), as downstream consumers of an exactly-once"
          + " egress should. Ctrl-C stops."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow tail --topic orders",
      "  keyflow tail --topic cart-views --from-beginning --max 10"
    })
public final class TailCommand implements Callable<Integer> {
  @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic.")
  String topic;

  @Option(
      names = "--from-beginning",
      description = "Start at the oldest record instead of new ones.")
  boolean fromBeginning;

  @Option(
      names = "--max",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop after N records (0, the default: follow until Ctrl-C).")
  long max;

  @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

  @Override
  public Integer call() {
    Properties props = kafka.clientProperties();
    props.put("group.id", "keyflow-tail-" + System.nanoTime());
    props.put("enable.auto.commit", "false");
    props.put("isolation.level", "read_committed");
    props.put("auto.offset.reset", fromBeginning ? "earliest" : "latest");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    AtomicBoolean stopping = new AtomicBoolean();
    Thread main = Thread.currentThread();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.set(true);
                  consumer.wakeup();
                  try {
                    main.join(5_000);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    long printed = 0;
    try (consumer) {
      consumer.subscribe(List.of(topic));
      while (max == 0 || printed < max) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          String key =
              record.key() == null ? "(no key)" : new String(record.key(), StandardCharsets.UTF_8);
          System.out.println(key + ": " + RecordText.of(record.value()));
          System.out.flush();
          if (max > 0 && ++printed >= max) {
            break;
          }
        }
      }
    } catch (WakeupException e) {
      if (!stopping.get()) {
        throw e;
      }
    }
    return 0;
  }
}
