package io.keyflow.savepoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.cli.Keyflow;
import io.keyflow.protocol.control.ControlRequest;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.testing.ExactlyOnceFixture;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The offline state tools against state a real job wrote and a real job reads: a Keyflow job with
 * SDK functions behind a real broker writes a savepoint that {@code keyflow state dump} lists
 * exactly, and a savepoint {@code keyflow state bootstrap} wrote starts a job whose counter
 * continues from every bootstrapped value.
 */
@ExtendWith(KafkaBroker.class)
class StateToolsIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeName EGRESS = TypeName.typeNameOf("st", "out");
  private static final TypeName KEEPER = TypeName.typeNameOf("st", "keeper");
  private static ExactlyOnceFixture fixture;

  @TempDir Path dir;

  @BeforeAll
  static void startFunctions() throws Exception {
    fixture =
        ExactlyOnceFixture.start(
            "out",
            out ->
                TestFunctions.of(
                    keeper(out), TestFunctions.kafkaCounter("st", "counter", EGRESS, out, null)));
  }

  @AfterAll
  static void stopFunctions() {
    fixture.close();
  }

  /**
   * For id {@code k-N}: stores N (int), "name-N" (string) and a JSON profile (a custom typename),
   * schedules a reminder to itself in an hour with token {@code t-k-N}, and reports {@code
   * k-N=kept}.
   */
  private static StatefulFunctionSpec keeper(String outTopic) {
    ValueSpec<Integer> number = ValueSpec.named("number").withIntType();
    ValueSpec<String> name = ValueSpec.named("name").withUtf8StringType();
    ValueSpec<String> profile = ValueSpec.named("profile").withCustomType(TestFunctions.PROFILE);
    return StatefulFunctionSpec.builder(KEEPER)
        .withValueSpecs(number, name, profile)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  String id = context.self().id();
                  int n = Integer.parseInt(id.substring(2));
                  context.storage().set(number, n);
                  context.storage().set(name, "name-" + n);
                  context.storage().set(profile, "{\"id\":\"" + id + "\",\"n\":" + n + "}");
                  context.sendAfter(
                      Duration.ofHours(1),
                      "t-" + id,
                      MessageBuilder.forAddress(KEEPER, id).withValue("remind").build());
                  context.send(
                      KafkaEgressMessage.forEgress(EGRESS)
                          .withTopic(outTopic)
                          .withUtf8Key(id)
                          .withUtf8Value(id + "=kept")
                          .build());
                  return context.done();
                })
        .build();
  }

  private String module(String inTopic, String target) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: st/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: st/in
          address: %s
          consumerGroupId: %s
          startupPosition:
            type: earliest
          topics:
            - topic: %s
              valueType: keyflow.test/raw
              targets:
                - %s
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: st/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
        """
        .formatted(
            fixture.functionsUrl(),
            KafkaBroker.bootstrapServers(),
            "group-" + inTopic,
            inTopic,
            target,
            KafkaBroker.bootstrapServers());
  }

  /**
   * An operator's pause of {@code st/keeper/paused-1}, an address that gets no message, as the
   * gateway's admin route sends it.
   */
  private static Envelope pausePaused1() {
    return Envelope.newBuilder()
        .setTarget(Address.newBuilder().setNamespace("st").setType("keeper").setId("paused-1"))
        .setControl(ControlRequest.newBuilder().setAction(ControlRequest.Action.PAUSE))
        .build();
  }

  /** A function's creation of schedule {@code nightly-1}, whose first fire is in 2099. */
  private static Envelope scheduleNightly1() {
    return Envelope.newBuilder()
        .setTarget(
            Address.newBuilder().setNamespace("keyflow").setType("schedules").setId("nightly-1"))
        .setPayload(
            io.keyflow.protocol.reqreply.TypedValue.newBuilder()
                .setTypename("keyflow/schedule.set")
                .setHasValue(true)
                .setValue(
                    com.google.protobuf.ByteString.copyFromUtf8(
                        "{\"target\": \"st/keeper/k-1\", \"every\": \"1d\","
                            + " \"start\": \"2099-01-01T00:00:00Z\"}")))
        .build();
  }

  private static int keyflow(String... args) {
    return new CommandLine(new Keyflow()).execute(args);
  }

  private static List<String[]> oneRecordPerId(String prefix, int ids) {
    List<String[]> records = new ArrayList<>(ids);
    for (int i = 0; i < ids; i++) {
      records.add(new String[] {prefix + i, "go"});
    }
    return records;
  }

  @Test
  void dumpOfASavepointListsEveryValueDelayedMessagePausedAddressAndSchedule() throws Exception {
    int ids = 10_000;
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(dir.resolve("checkpoints"), 2, Duration.ofMillis(500)),
            module(in, "st/keeper"),
            List.of(
                GeneratedIngress.of(2, i -> i == 0 ? pausePaused1() : scheduleNightly1())
                    .lingering()),
            List.of());
    String savepoint;
    try {
      KafkaBroker.produce(in, oneRecordPerId("k-", ids));
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(3), () -> fixture.values("k-").size() >= ids);
      savepoint =
          job.stopWithSavepoint(
                  false,
                  dir.resolve("savepoints").toUri().toString(),
                  SavepointFormatType.CANONICAL)
              .get(2, TimeUnit.MINUTES);
      job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      KeyflowTestJob.cancel(job);
      throw e;
    }
    Instant stopped = Instant.now();
    Path dump = dir.resolve("dump.jsonl");

    assertThat(keyflow("state", "dump", "--savepoint", savepoint, "--output", dump.toString()))
        .isZero();

    List<String> lines = Files.readAllLines(dump);
    assertThat(lines).hasSize(ids + 2);
    Set<String> seen = new HashSet<>();
    for (String line : lines) {
      JsonNode address = JSON.readTree(line);
      String id = address.get("id").asText();
      if (id.equals("nightly-1")) {
        JsonNode schedule = address.get("schedule");
        assertThat(address.get("function").asText()).isEqualTo("keyflow/schedules");
        assertThat(schedule.get("kind").asText()).isEqualTo("dynamic");
        assertThat(schedule.get("targetType").asText()).isEqualTo("st/keeper");
        assertThat(schedule.get("targetIds").toString()).isEqualTo("[\"k-1\"]");
        assertThat(schedule.get("every").asText()).isEqualTo("PT24H");
        assertThat(schedule.get("nextFire").asText()).isEqualTo("2099-01-01T00:00:00Z");
        continue;
      }
      if (id.equals("paused-1")) {
        assertThat(line)
            .isEqualTo(
                "{\"function\":\"st/keeper\",\"id\":\"paused-1\",\"values\":{},\"inflight\":[],"
                    + "\"backlog\":[],\"delayed\":[],\"paused\":true}");
        continue;
      }
      assertThat(address.has("paused")).as("%s is not paused", id).isFalse();
      int n = Integer.parseInt(id.substring(2));
      assertThat(seen.add(id)).as("listed once: %s", id).isTrue();
      assertThat(address.get("function").asText()).isEqualTo("st/keeper");
      JsonNode values = address.get("values");
      assertThat(values.get("number").toString())
          .isEqualTo("{\"typename\":\"io.statefun.types/int\",\"value\":" + n + "}");
      assertThat(values.get("name").toString())
          .isEqualTo("{\"typename\":\"io.statefun.types/string\",\"value\":\"name-" + n + "\"}");
      assertThat(values.get("profile").toString())
          .isEqualTo(
              "{\"typename\":\"keyflow.test/Profile\",\"json\":{\"id\":\""
                  + id
                  + "\",\"n\":"
                  + n
                  + "}}");
      assertThat(address.get("inflight")).isEmpty();
      assertThat(address.get("backlog")).isEmpty();
      JsonNode delayed = address.get("delayed");
      assertThat(delayed).hasSize(1);
      assertThat(delayed.get(0).get("token").asText()).isEqualTo("t-" + id);
      assertThat(delayed.get(0).get("target").asText()).isEqualTo("st/keeper/" + id);
      assertThat(delayed.get(0).get("value").asText()).isEqualTo("remind");
      Instant due = Instant.parse(delayed.get(0).get("dueAt").asText());
      assertThat(due)
          .isBetween(stopped.plus(Duration.ofMinutes(50)), stopped.plus(Duration.ofHours(1)));
    }

    Path one = dir.resolve("one.csv");
    assertThat(
            keyflow(
                "state",
                "dump",
                "--savepoint",
                savepoint,
                "--id",
                "k-42",
                "--format",
                "csv",
                "--output",
                one.toString()))
        .isZero();
    assertThat(Files.readAllLines(one))
        .first()
        .isEqualTo("function,id,kind,name,typename,encoding,value,expires_at,due_at,target,caller");
    assertThat(Files.readAllLines(one))
        .hasSize(5)
        .contains(
            "st/keeper,k-42,value,number,io.statefun.types/int,value,42,,,,",
            "st/keeper,k-42,value,profile,keyflow.test/Profile,json,\"{\"\"id\"\":\"\"k-42\"\",\"\"n\"\":42}\",,,,");

    Path paused = dir.resolve("paused.csv");
    assertThat(
            keyflow(
                "state",
                "dump",
                "--savepoint",
                savepoint,
                "--id",
                "paused-1",
                "--format",
                "csv",
                "--output",
                paused.toString()))
        .isZero();
    assertThat(Files.readAllLines(paused)).hasSize(2).contains("st/keeper,paused-1,paused,,,,,,,,");
  }

  @Test
  void aJobStartedFromABootstrappedSavepointSeesEveryBootstrappedValue() throws Exception {
    int ids = 100_000;
    String in = "in-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    String module = module(in, "st/counter");
    Path moduleFile = Files.writeString(dir.resolve("module.yaml"), module);
    List<String> lines = new ArrayList<>(ids);
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < ids; i++) {
      long count = 7L * i + 3;
      lines.add(
          "{\"function\":\"st/counter\",\"id\":\"c-%d\",\"values\":{\"count\":{\"typename\":\"io.statefun.types/long\",\"value\":%d}}}"
              .formatted(i, count));
      expected.put("c-" + i, "c-" + i + "=" + (count + 1));
    }
    Path input = Files.write(dir.resolve("counts.jsonl"), lines);
    Path savepoint = dir.resolve("bootstrapped");

    assertThat(
            keyflow(
                "state",
                "bootstrap",
                "--input",
                input.toString(),
                "--module",
                moduleFile.toString(),
                "--output",
                savepoint.toString()))
        .isZero();

    var conf = KeyflowTestJob.configuration(dir.resolve("checkpoints"), 2, Duration.ofMillis(500));
    conf.setString("execution.state-recovery.path", savepoint.toUri().toString());
    JobClient job = KeyflowTestJob.start(conf, module, List.of(), List.of());
    try {
      KafkaBroker.produce(in, oneRecordPerId("c-", ids));
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(4), () -> fixture.values("c-").size() >= ids);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    List<String> counts = fixture.values("c-");
    assertThat(counts).hasSize(ids);
    assertThat(new HashSet<>(counts)).isEqualTo(new HashSet<>(expected.values()));
  }
}
