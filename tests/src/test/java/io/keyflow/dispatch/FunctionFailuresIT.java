package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.testing.CliProcess;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failing functions against the real broker, MiniCluster at parallelism 2 with RocksDB: an endpoint
 * that is down for half a minute, ten times its call budget and three times the 10 s the shared
 * retry backoff grows to (an outage: hold and retry, never fail), one id whose calls always fail
 * while the others flow (a poison message: dead-letter, then redrive), and one id whose calls are
 * never answered while the others flow (dead-letter, and no other id waits for it).
 */
@ExtendWith(KafkaBroker.class)
class FunctionFailuresIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final TypeName EGRESS = TypeName.typeNameOf("ff", "out");

  @TempDir Path dir;

  @Test
  void anEndpointDownForThirtySecondsLosesNothingAndTheJobNeverRestarts() throws Exception {
    String in = topic("outage-in");
    String out = topic("outage-out");
    int port = freePort();
    StatefulFunctions functions =
        TestFunctions.of(TestFunctions.kafkaCounter("ff", "counter", EGRESS, out, null));
    FailurePlan restarts = FailurePlan.register("outage", FailurePlan.never());
    FunctionServer server = FunctionServer.start(functions, "127.0.0.1", port);
    AtomicInteger produced = new AtomicInteger();
    AtomicBoolean producing = new AtomicBoolean(true);
    Thread load = steadyLoad(in, "o-", 20, produced, producing);
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(dir, 2, Duration.ofMillis(500)),
            module(in, "http://127.0.0.1:" + port, "", ""),
            List.of(GeneratedIngress.of(0, i -> null).lingering().failing("outage")),
            List.of());
    try (CommittedTopicReader output = new CommittedTopicReader(out)) {
      awaitSize(job, output, 100);
      server.close();
      Thread.sleep(Duration.ofSeconds(30).toMillis());
      server = FunctionServer.start(functions, "127.0.0.1", port);
      Thread.sleep(2_000);
      producing.set(false);
      load.join(10_000);
      awaitSize(job, output, produced.get());

      assertThat(restarts.highestAttempt()).as("task attempts after the first").isZero();
      List<String> values = output.values("o-");
      assertThat(values).hasSize(produced.get());
      assertThat(new HashSet<>(values)).isEqualTo(expectedCounts("o-", 20, produced.get()));
    } finally {
      KeyflowTestJob.cancel(job);
      server.close();
    }
  }

  @Test
  void onePoisonedIdIsDeadLetteredWhileTenThousandOthersFlowAndRedriveCompletesIt()
      throws Exception {
    String in = topic("poison-in");
    String out = topic("poison-out");
    String deadLetters = topic("poison-dlq");
    String redrive = topic("poison-redrive");
    AtomicBoolean broken = new AtomicBoolean(true);
    FunctionServer server =
        FunctionServer.start(
            TestFunctions.of(
                TestFunctions.failingKafkaCounter(
                    "ff", "counter", EGRESS, out, Set.of("poison"), broken)),
            "127.0.0.1",
            0);
    List<String[]> input = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      input.add(new String[] {"k-" + i, "x"});
      if (i % 3_000 == 0) {
        input.add(new String[] {"poison", "x"});
      }
    }
    KafkaBroker.produce(in, input);
    String failures = deadLetterAfterTwoCalls(deadLetters);
    String redriveRoute =
        """
            - topic: %s
              deadLetters: true
        """
            .formatted(redrive);
    // Other addresses keep being served while the poisoned one fails: that is what tells a
    // poison message from an endpoint that is down.
    AtomicInteger trickle = new AtomicInteger();
    AtomicBoolean trickling = new AtomicBoolean(true);
    Thread load = steadyLoad(in, "t-", 50, trickle, trickling);
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(dir, 2, Duration.ofMillis(500)),
            module(in, server.baseUrl(), failures, redriveRoute),
            List.of(),
            List.of());
    try (CommittedTopicReader output = new CommittedTopicReader(out);
        CommittedTopicReader dlq = new CommittedTopicReader(deadLetters)) {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(3),
          () -> output.values("k-").size() >= 10_000 && messagesIn(dlq) >= 4);
      trickling.set(false);
      load.join(10_000);
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(1), () -> output.values("t-").size() >= trickle.get());
      assertThat(new HashSet<>(output.values("t-")))
          .isEqualTo(expectedCounts("t-", 50, trickle.get()));

      List<String> others = output.values("k-");
      assertThat(others).hasSize(10_000).doesNotHaveDuplicates().allMatch(v -> v.endsWith("=1"));
      assertThat(output.values("poison")).isEmpty();
      List<DeadLetter> letters = letters(dlq);
      assertThat(letters)
          .allSatisfy(
              letter -> {
                assertThat(letter.getAddress().getId()).isEqualTo("poison");
                assertThat(letter.getAddress().getType()).isEqualTo("counter");
                assertThat(letter.getAttempts()).isEqualTo(2);
                assertThat(letter.getError()).contains("500");
              });
      assertThat(dlq.records()).allMatch(r -> new String(r.key()).equals("ff/counter/poison"));

      broken.set(false);
      List<String> redriven =
          CliProcess.runToEnd(
              dir,
              Duration.ofMinutes(1),
              "redrive",
              "--bootstrap-servers",
              KafkaBroker.bootstrapServers(),
              "--from",
              deadLetters,
              "--to",
              redrive);
      assertThat(redriven).anyMatch(l -> l.startsWith("Redrove " + letters.size() + " dead"));
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(1), () -> output.values("poison=").size() >= 4);

      assertThat(output.values("poison="))
          .containsExactly("poison=1", "poison=2", "poison=3", "poison=4");
      assertThat(output.values("k-")).hasSize(10_000);
    } finally {
      trickling.set(false);
      KeyflowTestJob.cancel(job);
      server.close();
    }
  }

  @Test
  void oneIdWhoseCallsNeverAnswerIsDeadLetteredWhileTenThousandOthersFlowAndTheJobNeverRestarts()
      throws Exception {
    String in = topic("hung-in");
    String out = topic("hung-out");
    String deadLetters = topic("hung-dlq");
    FunctionServer server =
        FunctionServer.start(
            TestFunctions.of(
                TestFunctions.hangingKafkaCounter("ff", "counter", EGRESS, out, Set.of("hot"))),
            "127.0.0.1",
            0);
    List<String[]> input = new ArrayList<>();
    Set<String> hotValues = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      input.add(new String[] {"k-" + i, "x"});
      if (i % 5 == 0) {
        String value = "h-" + i;
        input.add(new String[] {"hot", value});
        hotValues.add(value);
      }
    }
    KafkaBroker.produce(in, input);
    String failures = deadLetterAfterTwoCalls(deadLetters);
    FailurePlan restarts = FailurePlan.register("hung", FailurePlan.never());
    // Other addresses are served while the hot id's calls hang: that is what tells its calls'
    // failures from an outage of the endpoint.
    AtomicInteger trickle = new AtomicInteger();
    AtomicBoolean trickling = new AtomicBoolean(true);
    Thread load = steadyLoad(in, "t-", 50, trickle, trickling);
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(dir, 2, Duration.ofMillis(500)),
            module(in, server.baseUrl(), failures, ""),
            List.of(GeneratedIngress.of(0, i -> null).lingering().failing("hung")),
            List.of());
    try (CommittedTopicReader output = new CommittedTopicReader(out);
        CommittedTopicReader dlq = new CommittedTopicReader(deadLetters)) {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(4),
          () -> output.values("k-").size() >= 10_000 && messagesIn(dlq) >= hotValues.size());
      trickling.set(false);
      load.join(10_000);
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(1), () -> output.values("t-").size() >= trickle.get());

      assertThat(restarts.highestAttempt()).as("task attempts after the first").isZero();
      List<String> others = output.values("k-");
      assertThat(others).hasSize(10_000).doesNotHaveDuplicates().allMatch(v -> v.endsWith("=1"));
      assertThat(new HashSet<>(output.values("t-")))
          .isEqualTo(expectedCounts("t-", 50, trickle.get()));
      assertThat(output.values("hot")).isEmpty();
      List<DeadLetter> letters = letters(dlq);
      assertThat(letters)
          .allSatisfy(
              letter -> {
                assertThat(letter.getAddress().getId()).isEqualTo("hot");
                assertThat(letter.getAttempts()).isEqualTo(2);
                assertThat(letter.getError()).contains("timed out");
              });
      List<String> lettered =
          letters.stream()
              .flatMap(l -> l.getMessagesList().stream())
              .map(m -> m.getArgument().getValue().toStringUtf8())
              .toList();
      assertThat(lettered).doesNotHaveDuplicates();
      assertThat(new HashSet<>(lettered)).isEqualTo(hotValues);
    } finally {
      trickling.set(false);
      KeyflowTestJob.cancel(job);
      server.close();
    }
  }

  @Test
  void aDeadLetterTooLargeForOneKafkaRecordIsCutToFitAndTheJobNeverRestarts() throws Exception {
    String in = topic("big-in");
    String out = topic("big-out");
    String deadLetters = topic("big-dlq");
    FunctionServer server =
        FunctionServer.start(
            TestFunctions.of(
                TestFunctions.failingKafkaCounter(
                    "ff", "counter", EGRESS, out, Set.of("big"), new AtomicBoolean(true))),
            "127.0.0.1",
            0);
    // Four messages of 400 kB for one failing address: batched, they make a dead letter larger
    // than the producer's default max.request.size of 1 MiB.
    List<String[]> input = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      input.add(new String[] {"k-" + i, "x"});
      if (i % 500 == 0) {
        input.add(new String[] {"big", i + ":" + "x".repeat(400_000)});
      }
    }
    KafkaBroker.produce(in, input);
    FailurePlan restarts = FailurePlan.register("big", FailurePlan.never());
    AtomicInteger trickle = new AtomicInteger();
    AtomicBoolean trickling = new AtomicBoolean(true);
    Thread load = steadyLoad(in, "t-", 50, trickle, trickling);
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(dir, 2, Duration.ofMillis(500)),
            module(in, server.baseUrl(), deadLetterAfterTwoCalls(deadLetters), ""),
            List.of(GeneratedIngress.of(0, i -> null).lingering().failing("big")),
            List.of());
    try (CommittedTopicReader output = new CommittedTopicReader(out);
        CommittedTopicReader dlq = new CommittedTopicReader(deadLetters)) {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(3),
          () ->
              output.values("k-").size() >= 2_000
                  && letters(dlq).stream()
                          .mapToInt(l -> l.getMessagesCount() + l.getDroppedMessages())
                          .sum()
                      >= 4);
      trickling.set(false);
      load.join(10_000);

      assertThat(restarts.highestAttempt()).as("task attempts after the first").isZero();
      assertThat(output.values("k-")).hasSize(2_000).doesNotHaveDuplicates();
      List<DeadLetter> letters = letters(dlq);
      assertThat(
              letters.stream().mapToInt(l -> l.getMessagesCount() + l.getDroppedMessages()).sum())
          .as("messages kept or counted as left out")
          .isEqualTo(4);
      assertThat(letters).anySatisfy(l -> assertThat(l.getDroppedMessages()).isPositive());
      assertThat(letters)
          .allSatisfy(
              l -> {
                assertThat(l.getAddress().getId()).isEqualTo("big");
                assertThat(l.getSerializedSize()).isLessThan(1024 * 1024);
                assertThat(l.getDroppedBytes())
                    .isBetween(
                        400_000L * l.getDroppedMessages(), 400_005L * l.getDroppedMessages());
              });
    } finally {
      trickling.set(false);
      KeyflowTestJob.cancel(job);
      server.close();
    }
  }

  private static String module(
      String in, String functionsUrl, String failures, String extraRoutes) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: ff/*
          urlPathTemplate: %s/{function.name}
          transport:
            call: 3s
            connect: 1s
        %s
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: ff/in
          address: %s
          consumerGroupId: group-%s
          topics:
            - topic: %s
              valueType: keyflow.test/raw
              targets:
                - ff/counter
        %s
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: ff/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 3 min
        """
        .formatted(
            functionsUrl,
            failures.stripTrailing(),
            KafkaBroker.bootstrapServers(),
            in,
            in,
            extraRoutes.stripTrailing(),
            KafkaBroker.bootstrapServers());
  }

  /** An endpoint's failure policy: dead letters to {@code topic} after two calls. */
  private static String deadLetterAfterTwoCalls(String topic) {
    return """
          failures:
            policy: dead-letter
            maxAttempts: 2
            deadLetter:
              egress: ff/out
              topic: %s
        """
        .formatted(topic);
  }

  /** Produces one record every 50 ms over {@code keys} keys until {@code producing} is cleared. */
  private static Thread steadyLoad(
      String in, String prefix, int keys, AtomicInteger produced, AtomicBoolean producing) {
    Thread load =
        new Thread(
            () -> {
              try {
                while (producing.get()) {
                  int i = produced.get();
                  KafkaBroker.produce(
                      in, List.<String[]>of(new String[] {prefix + (i % keys), "x"}));
                  produced.incrementAndGet();
                  Thread.sleep(50);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "steady-load");
    load.setDaemon(true);
    load.start();
    return load;
  }

  private static Set<String> expectedCounts(String prefix, int keys, int records) {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < records; i++) {
      expected.add(prefix + (i % keys) + "=" + (i / keys + 1));
    }
    return expected;
  }

  private static void awaitSize(JobClient job, CommittedTopicReader output, int size)
      throws Exception {
    KeyflowTestJob.awaitWhileRunning(
        job, Duration.ofMinutes(3), () -> output.values("o-").size() >= size);
  }

  private static List<DeadLetter> letters(CommittedTopicReader dlq) throws Exception {
    List<DeadLetter> letters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : dlq.records()) {
      letters.add(DeadLetter.parseFrom(record.value()));
    }
    return letters;
  }

  private static int messagesIn(CommittedTopicReader dlq) throws Exception {
    return letters(dlq).stream().mapToInt(DeadLetter::getMessagesCount).sum();
  }

  private static String topic(String prefix) throws Exception {
    String topic = prefix + "-" + UUID.randomUUID();
    KafkaBroker.createTopic(topic, 2);
    return topic;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
