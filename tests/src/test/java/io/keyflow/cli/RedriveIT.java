package io.keyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.testing.BrokerProcess;
import io.keyflow.testing.CliProcess;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testkit.kafka.CommittedConsumer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyflow redrive}, {@code send} and {@code tail} as processes against the real broker:
 * redrive moves dead letters in Kafka transactions with its position, so a failed send leaves what
 * it did not move in place and a rerun moves each dead letter once; the Kafka commands take client
 * properties from flags and files.
 */
@ExtendWith(KafkaBroker.class)
class RedriveIT {
  private static final Duration RUN = Duration.ofMinutes(1);

  @TempDir Path dir;

  /** Processes a test started; none outlives it, whatever it asserted. */
  private final java.util.List<CliProcess> started = new java.util.ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void stopProcesses() {
    started.forEach(CliProcess::close);
  }

  private CliProcess start(String... args) throws Exception {
    CliProcess process = CliProcess.start(dir, args);
    started.add(process);
    return process;
  }

  @Test
  void aSendThatFailsMidRunLeavesTheRestInPlaceAndARerunMovesEachDeadLetterOnce() throws Exception {
    String from = "redrive-dlq-" + UUID.randomUUID();
    String to = "redrive-to-" + UUID.randomUUID();
    KafkaBroker.createTopic(from, 1);
    // The redrive topic refuses the fifth dead letter until its limit is raised.
    createTopic(to, Map.of("max.message.bytes", "2000"));
    produceDeadLetters(KafkaBroker.bootstrapServers(), from, 10, 4, 5_000);

    CliProcess failed =
        start(
            "redrive",
            "--bootstrap-servers",
            KafkaBroker.bootstrapServers(),
            "--from",
            from,
            "--to",
            to,
            "--property",
            "max.poll.records=3");
    assertThat(failed.awaitExit(RUN)).as("exit status of the failing run").isEqualTo(1);
    String failure =
        failed.lines().stream().filter(l -> l.startsWith("Redrive failed")).findFirst().orElse("");
    Matcher moved = Pattern.compile("(\\d+) dead letter\\(s\\) were moved").matcher(failure);
    assertThat(moved.find()).as("the failure says what was moved: " + failed.lines()).isTrue();
    int movedFirst = Integer.parseInt(moved.group(1));
    assertThat(movedFirst).isLessThan(5);
    assertThat(redriven(to)).containsExactlyElementsOf(ids(0, movedFirst));

    raiseLimit(to);
    List<String> rerun =
        CliProcess.runToEnd(
            dir,
            RUN,
            "redrive",
            "--bootstrap-servers",
            KafkaBroker.bootstrapServers(),
            "--from",
            from,
            "--to",
            to);

    assertThat(rerun).anyMatch(l -> l.startsWith("Redrove " + (10 - movedFirst) + " dead"));
    assertThat(redriven(to)).containsExactlyElementsOf(ids(0, 10));
    List<String> again =
        CliProcess.runToEnd(
            dir,
            RUN,
            "redrive",
            "--bootstrap-servers",
            KafkaBroker.bootstrapServers(),
            "--from",
            from,
            "--to",
            to);
    assertThat(again).anyMatch(l -> l.startsWith("Redrove 0 dead"));
    assertThat(redriven(to)).hasSize(10);
  }

  @Test
  void aBrokerKilledMidRunFailsTheRedriveAndARerunAfterItReturnsMovesEachDeadLetterOnce(
      @TempDir Path brokerDir) throws Exception {
    String from = "dlq";
    String to = "redrive";
    try (BrokerProcess broker = BrokerProcess.start(brokerDir)) {
      broker.createTopics(Set.of(from, to), 1);
      produceDeadLetters(broker.bootstrapServers(), from, 2_000, -1, 0);
      // One dead letter a transaction keeps the run going long enough to kill the broker under
      // it; short client timeouts make it give up soon after.
      CliProcess redrive =
          start(
              "redrive",
              "--bootstrap-servers",
              broker.bootstrapServers(),
              "--from",
              from,
              "--to",
              to,
              "--property",
              "max.poll.records=1",
              "--property",
              "max.block.ms=5000",
              "--property",
              "request.timeout.ms=3000",
              "--property",
              "default.api.timeout.ms=5000");
      redrive.awaitLine("redriving 1 message(s) for shop/cart/id-20 ", RUN);
      broker.kill();
      assertThat(redrive.awaitExit(RUN)).as("exit status of the interrupted run").isNotZero();
      assertThat(redrive.lines()).noneMatch(l -> l.startsWith("Redrove"));

      broker.startAgain();
      List<String> rerun =
          CliProcess.runToEnd(
              dir,
              Duration.ofMinutes(3),
              "redrive",
              "--bootstrap-servers",
              broker.bootstrapServers(),
              "--from",
              from,
              "--to",
              to);

      assertThat(rerun).anyMatch(l -> l.matches("Redrove \\d+ dead letter.*"));
      List<String> moved = redriven(broker.bootstrapServers(), to);
      assertThat(moved).doesNotHaveDuplicates();
      assertThat(new java.util.HashSet<>(moved)).isEqualTo(new java.util.HashSet<>(ids(0, 2_000)));
    }
  }

  @Test
  void sendAndTailReachKafkaThroughAPropertiesFile() throws Exception {
    String topic = "props-" + UUID.randomUUID();
    KafkaBroker.createTopic(topic, 1);
    Path file = dir.resolve("kafka.properties");
    Files.writeString(
        file,
        "bootstrap.servers=" + KafkaBroker.bootstrapServers() + "\nclient.id=keyflow-props\n");

    CliProcess.runToEnd(
        dir, RUN, "send", "--properties", file.toString(), "--topic", topic, "--key", "k", "hi");
    List<String> tailed =
        CliProcess.runToEnd(
            dir,
            RUN,
            "tail",
            "--properties",
            file.toString(),
            "--property",
            "client.id=keyflow-tail-props",
            "--topic",
            topic,
            "--from-beginning",
            "--max",
            "1");

    assertThat(tailed).contains("k: hi");
  }

  @Test
  void aMissingPropertiesFileIsAUsageErrorNamingIt() throws Exception {
    CliProcess send =
        start("send", "--properties", "nowhere.properties", "--topic", "t", "--key", "k", "v");

    assertThat(send.awaitExit(RUN)).isEqualTo(2);
    assertThat(send.lines()).anyMatch(l -> l.contains("--properties nowhere.properties: no such"));
  }

  private static List<String> ids(int from, int to) {
    return java.util.stream.IntStream.range(from, to).mapToObj(i -> "id-" + i).toList();
  }

  /** The ids of the dead letters in {@code topic}, as a read_committed consumer sees them. */
  private static List<String> redriven(String topic) throws Exception {
    return redriven(KafkaBroker.bootstrapServers(), topic);
  }

  /**
   * Reads {@code topic} up to its last stable offset, which read_committed end offsets are: every
   * transaction committed so far, and nothing a later one may still add.
   */
  private static List<String> redriven(String servers, String topic) throws Exception {
    List<String> ids = new java.util.ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = CommittedConsumer.fromBeginning(servers, topic)) {
      Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " up to " + ends + " in 30 s");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          ids.add(DeadLetter.parseFrom(r.value()).getAddress().getId());
        }
      }
    }
    return ids;
  }

  private static void produceDeadLetters(
      String servers, String topic, int count, int large, int largeBytes) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", servers);
    props.put("acks", "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String value = "m".repeat(i == large ? largeBytes : 100);
        DeadLetter letter =
            DeadLetter.newBuilder()
                .setAddress(
                    Address.newBuilder().setNamespace("shop").setType("cart").setId("id-" + i))
                .addMessages(
                    Invocation.newBuilder()
                        .setArgument(
                            TypedValue.newBuilder()
                                .setTypename("shop.types/Text")
                                .setHasValue(true)
                                .setValue(ByteString.copyFromUtf8(value))))
                .setError("HTTP 500")
                .setAttempts(3)
                .build();
        sent.add(
            producer.send(
                new ProducerRecord<>(
                    topic,
                    ("shop/cart/id-" + i).getBytes(StandardCharsets.UTF_8),
                    letter.toByteArray())));
      }
      producer.flush();
      // A dead letter the broker refused fails here, naming the send, not as a redrive that
      // later finds fewer dead letters than it expects.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (Future<RecordMetadata> send : sent) {
        send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    }
  }

  private static void createTopic(String topic, Map<String, String> configs) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static void raiseLimit(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.TOPIC, topic),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("max.message.bytes", "1048576"),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }
}
