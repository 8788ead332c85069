package io.keyflow.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.cli.Keyflow;
import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.ExactlyOnceFixture;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.StatefunJobProcess;
import io.keyflow.testing.TestFunctions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.apache.flink.statefun.sdk.java.slice.Slice;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A running StateFun application moves to Keyflow with its state: a real StateFun 3.3.0 job on
 * Flink 1.16 (Maven Central jars, a MiniCluster in a JVM of its own) with Java SDK functions over a
 * real broker takes a savepoint once its consumer group has committed everything and is cancelled,
 * {@code keyflow migrate statefun} turns the savepoint into a Keyflow savepoint, and a Keyflow job
 * started from it on the same topics, reading on from StateFun's consumer group, continues every
 * counter exactly, fires each pending delayed message once and lets the expiring value expire the
 * time to live its function declares after StateFun wrote it.
 *
 * <p>Keyflow takes a value's time to live from the function's first answer after the start, so the
 * keeper declares it then, sized from how long the savepoint, the migration and the start took (see
 * {@link SizedTtlKeeper}): the value is still there at the first check however slow the machine,
 * and the test waits a fixed margin for it to expire instead of minutes.
 */
@ExtendWith(KafkaBroker.class)
class StatefunMigrationIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeName EGRESS = TypeName.typeNameOf("mig", "out");
  private static final TypeName KEEPER = TypeName.typeNameOf("mig", "keeper");
  private static final Duration DELAY = Duration.ofSeconds(60);

  /** The expiring value's time to live in StateFun: longer than StateFun runs in this test. */
  private static final Duration STATEFUN_TTL = Duration.ofMinutes(10);

  /**
   * How long Keyflow's first checks of the keepers may take after its first call to the keeper: the
   * value lives this much longer than the time from StateFun's write to that call.
   */
  private static final Duration TTL_MARGIN = Duration.ofSeconds(45);

  private static ExactlyOnceFixture fixture;
  private static SizedTtlKeeper keeper;
  private static FunctionServer keeperServer;

  @TempDir Path dir;

  @BeforeAll
  static void startFunctions() throws Exception {
    fixture =
        ExactlyOnceFixture.start(
            "out",
            out ->
                TestFunctions.of(TestFunctions.kafkaCounter("mig", "counter", EGRESS, out, null)));
    keeper = new SizedTtlKeeper(fixture.outTopic());
    keeperServer = FunctionServer.start(keeper, "127.0.0.1", 0);
  }

  @AfterAll
  static void stopFunctions() {
    fixture.close();
    keeperServer.close();
  }

  /**
   * "go": keeps an int, a string, a JSON profile and an expiring marker, and sends itself "remind"
   * after {@link #DELAY}; "remind" reports {@code id=reminded}; "check" reports whether the marker
   * is still there and the int.
   */
  private static StatefulFunctionSpec keeperSpec(String outTopic, Duration ttl) {
    ValueSpec<Integer> number = ValueSpec.named("number").withIntType();
    ValueSpec<String> name = ValueSpec.named("name").withUtf8StringType();
    ValueSpec<String> profile = ValueSpec.named("profile").withCustomType(TestFunctions.PROFILE);
    ValueSpec<String> seen = ValueSpec.named("seen").thatExpireAfterWrite(ttl).withUtf8StringType();
    return StatefulFunctionSpec.builder(KEEPER)
        .withValueSpecs(number, name, profile, seen)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  String id = context.self().id();
                  String command = message.asUtf8String();
                  String report;
                  if (command.equals("go")) {
                    int n = Integer.parseInt(id.substring(2));
                    context.storage().set(number, n);
                    context.storage().set(name, "name-" + n);
                    context.storage().set(profile, "{\"n\":" + n + "}");
                    context.storage().set(seen, "yes");
                    context.sendAfter(
                        DELAY,
                        "t-" + id,
                        MessageBuilder.forAddress(KEEPER, id).withValue("remind").build());
                    report = "kept";
                  } else if (command.equals("remind")) {
                    report = "reminded";
                  } else {
                    report =
                        "seen:"
                            + context.storage().get(seen).orElse("no")
                            + ",number:"
                            + context.storage().get(number).orElse(-1)
                            + ",name:"
                            + context.storage().get(name).orElse("")
                            + ",profile:"
                            + context.storage().get(profile).orElse("");
                  }
                  context.send(
                      KafkaEgressMessage.forEgress(EGRESS)
                          .withTopic(outTopic)
                          .withUtf8Key(id)
                          .withUtf8Value(id + "=" + report)
                          .build());
                  return context.done();
                })
        .build();
  }

  /**
   * Serves the keeper: to StateFun with {@link #STATEFUN_TTL}; once {@link #sizeTtlFrom} was
   * called, with a time to live fixed at the next call (Keyflow's first), as the time since
   * StateFun wrote the value plus {@link #TTL_MARGIN}.
   */
  private static final class SizedTtlKeeper implements RequestReplyHandler {
    private final String outTopic;
    private final RequestReplyHandler statefun;
    private Instant written;
    private Duration keyflowTtl;
    private RequestReplyHandler keyflow;

    SizedTtlKeeper(String outTopic) {
      this.outTopic = outTopic;
      this.statefun = TestFunctions.of(keeperSpec(outTopic, STATEFUN_TTL)).requestReplyHandler();
    }

    /** From the next call on, declare a time to live that outlasts {@code written} until then. */
    synchronized void sizeTtlFrom(Instant written) {
      this.written = written;
    }

    /** The time to live declared to Keyflow; null before its first call. */
    synchronized Duration keyflowTtl() {
      return keyflowTtl;
    }

    @Override
    public CompletableFuture<Slice> handle(Slice request) {
      return current().handle(request);
    }

    private synchronized RequestReplyHandler current() {
      if (written == null) {
        return statefun;
      }
      if (keyflow == null) {
        long since = Duration.between(written, Instant.now()).toSeconds() + 1;
        keyflowTtl = Duration.ofSeconds(since).plus(TTL_MARGIN);
        keyflow = TestFunctions.of(keeperSpec(outTopic, keyflowTtl)).requestReplyHandler();
      }
      return keyflow;
    }
  }

  private String module(String counterTopic, String keeperTopic, String group, boolean keyflow) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: mig/counter
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: mig/keeper
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: mig/in
          address: %s
          consumerGroupId: %s
          startupPosition:
            type: %s
          topics:
            - topic: %s
              valueType: keyflow.test/raw
              targets:
                - mig/counter
            - topic: %s
              valueType: io.statefun.types/string
              targets:
                - mig/keeper
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: mig/out
          address: %s
          deliverySemantic:
            %s
        """
        .formatted(
            fixture.functionsUrl(),
            keeperServer.baseUrl(),
            KafkaBroker.bootstrapServers(),
            group,
            keyflow ? "group-offsets" : "earliest",
            counterTopic,
            keeperTopic,
            KafkaBroker.bootstrapServers(),
            keyflow ? "type: exactly-once\n    transactionTimeout: 2 min" : "type: at-least-once");
  }

  private static String stringValue(String s) {
    // io.statefun.types/string: a StringWrapper (field 1, length-delimited).
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[utf8.length + 2];
    out[0] = 0x0A;
    out[1] = (byte) utf8.length;
    System.arraycopy(utf8, 0, out, 2, utf8.length);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  @Test
  void countersContinueExactlyDelayedMessagesFireOnceAndExpiringValuesExpireOnTime()
      throws Exception {
    int counters = 1_000;
    int keepers = 5;
    String counterTopic = "counters-" + UUID.randomUUID();
    String keeperTopic = "keepers-" + UUID.randomUUID();
    String group = "group-" + UUID.randomUUID();
    KafkaBroker.createTopic(counterTopic, 2);
    KafkaBroker.createTopic(keeperTopic, 2);
    Path statefunModule =
        Files.writeString(
            dir.resolve("statefun-module.yaml"), module(counterTopic, keeperTopic, group, false));
    Path keyflowModule =
        Files.writeString(
            dir.resolve("module.yaml"), module(counterTopic, keeperTopic, group, true));

    // StateFun: three increments per counter, then keepers that write their values (one expiring)
    // and leave a reminder pending.
    Instant written;
    Instant keptSeen;
    String savepoint;
    try (StatefunJobProcess statefun =
        StatefunJobProcess.start(statefunModule, dir, Duration.ofMinutes(3), "768m")) {
      KafkaBroker.produce(counterTopic, records("c-", counters, 3, "inc", false));
      await(
          "StateFun counts every counter to 3",
          Duration.ofMinutes(4),
          () -> counts().size() == counters && counts().values().stream().allMatch(n -> n == 3));
      written = Instant.now();
      KafkaBroker.produce(keeperTopic, records("k-", keepers, 1, "go", true));
      await("StateFun keeps the keepers' values", Duration.ofMinutes(2), () -> kept() == keepers);
      keptSeen = Instant.now();
      // The rule a user follows: with the producers stopped, wait until StateFun's consumer group
      // has committed everything (lag 0), then take the savepoint. StateFun commits offsets when a
      // checkpoint completes, not on the savepoint itself.
      Map<TopicPartition, Long> ends = KafkaBroker.endOffsets(counterTopic, keeperTopic);
      await(
          "StateFun's consumer group commits every record it read",
          Duration.ofMinutes(2),
          () -> KafkaBroker.committedOffsets(group).equals(ends));
      savepoint = statefun.savepoint(dir.resolve("statefun-savepoints"), Duration.ofMinutes(3));
      statefun.cancel(Duration.ofMinutes(2));
    }
    assertThat(fixture.values("k-").stream().filter(v -> v.endsWith("=reminded")))
        .as("reminders still pending when StateFun stopped")
        .isEmpty();
    assertThat(KafkaBroker.committedOffsets(group))
        .as("StateFun's committed offsets, after its savepoint and cancel, are where it stopped")
        .isEqualTo(KafkaBroker.endOffsets(counterTopic, keeperTopic));

    Path keyflowSavepoint = dir.resolve("keyflow-savepoint");
    Path report = dir.resolve("report.json");
    Path lines = dir.resolve("statefun.jsonl");
    assertThat(
            new CommandLine(new Keyflow())
                .execute(
                    "migrate",
                    "statefun",
                    "--savepoint",
                    savepoint,
                    "--module",
                    keyflowModule.toString(),
                    "--output",
                    keyflowSavepoint.toString(),
                    "--lines",
                    lines.toString(),
                    "--report",
                    report.toString()))
        .isZero();
    JsonNode carried = JSON.readTree(report.toFile());
    assertThat(carried.path("addresses").asLong()).isEqualTo(counters + keepers);
    assertThat(carried.path("delayedMessages").asLong()).isEqualTo(keepers);
    assertThat(carried.path("expiringValues").asLong()).isEqualTo(keepers);
    assertThat(carried.path("notCarried")).isEmpty();
    assertCarriedClocks(lines, written, keptSeen);

    // Keyflow, from the migrated savepoint, reading on from StateFun's consumer group.
    keeper.sizeTtlFrom(written);
    var conf = KeyflowTestJob.configuration(dir.resolve("checkpoints"), 2, Duration.ofMillis(500));
    conf.setString("execution.state-recovery.path", keyflowSavepoint.toUri().toString());
    JobClient job =
        KeyflowTestJob.start(conf, Files.readString(keyflowModule), List.of(), List.of());
    try {
      KafkaBroker.produce(counterTopic, records("c-", counters, 2, "inc", false));
      KafkaBroker.produce(keeperTopic, records("k-", keepers, 1, "check", true));
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(4),
          () -> counts().values().stream().allMatch(n -> n == 5) && checks("seen:") == keepers);
      Duration ttl = keeper.keyflowTtl();
      assertThat(checks("seen:yes"))
          .as(
              "keepers whose expiring value is still there at Keyflow's first check, %s s after"
                  + " StateFun wrote it; it lives %s s: the time to Keyflow's first call plus %s s"
                  + " for the checks (if the margin ran out first, the checks took longer than it)",
              Duration.between(written, Instant.now()).toSeconds(),
              ttl.toSeconds(),
              TTL_MARGIN.toSeconds())
          .isEqualTo(keepers);
      KeyflowTestJob.awaitWhileRunning(job, Duration.ofMinutes(3), () -> reminded() == keepers);
      Instant expired = keptSeen.plus(ttl).plusSeconds(1);
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.between(Instant.now(), expired).plusMinutes(1),
          () -> Instant.now().isAfter(expired));
      KafkaBroker.produce(keeperTopic, records("k-", keepers, 1, "check", true));
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(2), () -> checks("seen:no") == keepers);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    Map<String, List<Long>> perCounter = new HashMap<>();
    for (String value : fixture.values("c-")) {
      String[] kv = value.split("=");
      perCounter.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(Long.parseLong(kv[1]));
    }
    assertThat(perCounter).hasSize(counters);
    assertThat(perCounter.values())
        .as("every counter counted 1..5, each once")
        .allSatisfy(seen -> assertThat(seen).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L));
    assertThat(reminded()).as("each pending reminder fired once").isEqualTo(keepers);
    assertThat(fixture.values("k-"))
        .contains(
            "k-3=seen:yes,number:3,name:name-3,profile:{\"n\":3}",
            "k-3=seen:no,number:3,name:name-3,profile:{\"n\":3}");
  }

  /**
   * The migrated expiring values keep the time StateFun wrote them, and the reminders the time they
   * were due, as the reader found them in the savepoint.
   */
  private static void assertCarriedClocks(Path lines, Instant written, Instant keptSeen)
      throws Exception {
    List<JsonNode> keeperLines = new ArrayList<>();
    try (var all = Files.lines(lines)) {
      for (String line : (Iterable<String>) all::iterator) {
        JsonNode node = JSON.readTree(line);
        if (node.path("function").asText().equals("mig/keeper")) {
          keeperLines.add(node);
        }
      }
    }
    assertThat(keeperLines).hasSize(5);
    for (JsonNode line : keeperLines) {
      Instant touched =
          Instant.parse(line.path("values").path("seen").path("ttlTouchedAt").asText());
      assertThat(touched).as("when StateFun wrote %s", line).isBetween(written, keptSeen);
      assertThat(line.path("values").path("number").has("ttlTouchedAt")).isFalse();
      assertThat(line.path("delayed")).hasSize(1);
      Instant due = Instant.parse(line.path("delayed").get(0).path("dueAt").asText());
      assertThat(due).isBetween(written.plus(DELAY), keptSeen.plus(DELAY));
    }
  }

  private static List<String[]> records(
      String prefix, int ids, int each, String value, boolean wrapped) {
    List<String[]> records = new ArrayList<>(ids * each);
    for (int round = 0; round < each; round++) {
      for (int i = 0; i < ids; i++) {
        records.add(new String[] {prefix + i, wrapped ? stringValue(value) : value});
      }
    }
    return records;
  }

  private static Map<String, Long> counts() {
    Map<String, Long> latest = new HashMap<>();
    for (String value : fixture.values("c-")) {
      String[] kv = value.split("=");
      latest.merge(kv[0], Long.parseLong(kv[1]), Math::max);
    }
    return latest;
  }

  private static long kept() {
    return fixture.values("k-").stream().filter(v -> v.endsWith("=kept")).count();
  }

  private static long reminded() {
    return fixture.values("k-").stream().filter(v -> v.endsWith("=reminded")).count();
  }

  private static long checks(String prefix) {
    return fixture.values("k-").stream().filter(v -> v.contains("=" + prefix)).count();
  }

  private static void await(String what, Duration timeout, KeyflowTestJob.Check done)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.done()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + timeout);
      }
      Thread.sleep(200);
    }
  }
}
