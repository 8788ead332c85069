package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.cli.Keyflow;
import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Dynamic schedules that functions on the StateFun Java SDK create, with a JSON or a protobuf body,
 * against a running job: a real Kafka broker, the job on a MiniCluster with RocksDB, and {@code
 * keyflow schedules list} reading them one by one from the job's latest completed checkpoint.
 */
@ExtendWith(KafkaBroker.class)
class DynamicSchedulesIT {
  /** Two slots for the job, one for the local job that reads a checkpoint. */
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(3)
              .build());

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeName EGRESS = TypeName.typeNameOf("ds", "out");
  private static final String TOPIC = "dynamic-schedules-" + UUID.randomUUID();
  private static FunctionServer server;
  private static CommittedTopicReader output;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws Exception {
    KafkaBroker.createTopic(TOPIC, 2);
    output = new CommittedTopicReader(TOPIC);
    server =
        FunctionServer.start(
            TestFunctions.of(
                ScheduleFunctions.planner(TypeName.typeNameOf("ds", "planner")),
                ScheduleFunctions.recorder(TypeName.typeNameOf("ds", "recorder"), EGRESS, TOPIC),
                ScheduleFunctions.reminder(
                    TypeName.typeNameOf("ds", "reminder"), EGRESS, TOPIC, "2s")),
            "127.0.0.1",
            0);
  }

  @AfterAll
  static void stopFunctions() {
    output.close();
    server.close();
  }

  private String module(String schedules) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: ds/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: ds/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
        ---
        %s
        """
        .formatted(server.baseUrl(), KafkaBroker.bootstrapServers(), schedules);
  }

  /**
   * Keyflow's shipped checkpoint settings: every 200 ms, the last two retained, so a checkpoint is
   * usually subsumed before a read of it ends and the listing takes a savepoint instead.
   */
  private Configuration conf() {
    Configuration conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(200));
    conf.setString("execution.checkpointing.num-retained", "2");
    return conf;
  }

  /** Runs {@code keyflow schedules list} and returns what it printed on stdout, and its status. */
  private static synchronized Printed list(String... args) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int status;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      List<String> all = new ArrayList<>(List.of("schedules", "list"));
      all.addAll(List.of(args));
      status = new CommandLine(new Keyflow()).execute(all.toArray(String[]::new));
    } finally {
      System.setOut(stdout);
    }
    return new Printed(status, captured.toString(StandardCharsets.UTF_8));
  }

  record Printed(int status, String out) {
    JsonNode json() throws Exception {
      String line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
      return JSON.readTree(line);
    }
  }

  @Test
  void keyflowSchedulesListShowsEachDynamicScheduleWithItsTargetAndNextFireFromTheCheckpoint(
      @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    // Five customers plan a daily renewal from a day of their own.
    List<String> customers = new ArrayList<>();
    List<String> starts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      customers.add("c" + i + "-" + run);
      starts.add("2099-01-0" + (5 - i) + "T09:00:00Z");
    }
    FailurePlan.register("planned", FailurePlan.never());
    GeneratedIngress plans =
        GeneratedIngress.of(
                customers.size(),
                i ->
                    TestFunctions.message(
                        "ds",
                        "planner",
                        customers.get(i.intValue()),
                        "plan " + starts.get(i.intValue())))
            .lingering()
            .failing("planned");
    String module =
        module(
            """
            kind: io.keyflow.schedule.v1
            spec: {id: static-%s, target: ds/recorder/r, every: 1h}
            """
                .formatted(run));
    JobClient job = KeyflowTestJob.start(conf(), module, List.of(plans), List.of());
    String rest = cluster.getWebInterfaceURL();
    Printed limited;
    Printed all;
    try {
      Printed[] last = new Printed[1];
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(2),
          () -> {
            last[0] = list("--rest", rest, "--limit", "3", "--json");
            return last[0].status() == 0
                && last[0].json().path("dynamic").path("total").asLong() == customers.size();
          });
      limited = last[0];
      all = list("--rest", rest);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    JsonNode dynamic = limited.json().path("dynamic");
    String source = dynamic.path("source").path("path").asText();
    if (source.contains("keyflow-schedules-list-")) {
      // Newer checkpoints replaced the latest before its read ended: the listing read a savepoint
      // it took for itself, and deleted it afterwards.
      assertThat(Path.of(URI.create(source))).doesNotExist();
    } else {
      assertThat(dynamic.path("source").path("checkpoint").asLong()).isPositive();
      assertThat(source).contains("chk-");
    }
    // The three that fire first, soonest first: the customers with the latest index.
    JsonNode shown = dynamic.path("schedules");
    assertThat(shown).hasSize(3);
    for (int k = 0; k < 3; k++) {
      int i = customers.size() - 1 - k;
      JsonNode s = shown.get(k);
      assertThat(s.path("id").asText()).isEqualTo("renewal-" + customers.get(i));
      assertThat(s.path("kind").asText()).isEqualTo("dynamic");
      assertThat(s.path("targetType").asText()).isEqualTo("ds/planner");
      assertThat(s.path("targetIds").toString()).isEqualTo("[\"" + customers.get(i) + "\"]");
      assertThat(s.path("nextFire").asText()).isEqualTo(starts.get(i));
      assertThat(s.path("every").asText()).isEqualTo("PT24H");
    }
    // The static schedule is not among them.
    assertThat(shown.toString()).doesNotContain("static-" + run);

    assertThat(all.status()).isZero();
    assertThat(all.out())
        .contains("5 dynamic schedules in ")
        .doesNotContain("more (--limit N lists more)");
    for (int i = 0; i < customers.size(); i++) {
      String c = customers.get(i);
      String start = starts.get(i);
      assertThat(all.out().lines())
          .as(c)
          .anySatisfy(
              line ->
                  assertThat(line)
                      .startsWith("renewal-" + c)
                      .contains("ds/planner/" + c, start, "every PT24H"));
    }
  }

  @Test
  void aFunctionSetsItsScheduleWithAProtobufBodyFromTheJavaSdkAndAnInvalidOneIsSkipped()
      throws Exception {
    FailurePlan.register("protobuf-reminders", FailurePlan.never());
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> users = List.of("p1-" + run, "p2-" + run);
    String invalid = "p0-" + run;
    GeneratedIngress start =
        GeneratedIngress.of(
                users.size() + 1,
                i ->
                    i == 0
                        ? TestFunctions.message("ds", "reminder", invalid, "start-protobuf-invalid")
                        : TestFunctions.message(
                            "ds", "reminder", users.get(i.intValue() - 1), "start-protobuf"))
            .lingering()
            .failing("protobuf-reminders");
    JobClient job = KeyflowTestJob.start(conf(), module(""), List.of(start), List.of());
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(1),
          () -> users.stream().allMatch(u -> seen("reminder-" + u).size() >= 4));
      // A deleted schedule must stay silent: watch two more periods for a stray fire.
      long watchUntil = System.currentTimeMillis() + 4_000;
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofSeconds(30), () -> System.currentTimeMillis() > watchUntil);
    } finally {
      KeyflowTestJob.cancel(job);
    }

    for (String user : users) {
      List<SchedulesIT.Seen> seen = seen("reminder-" + user);
      assertThat(seen)
          .extracting(SchedulesIT.Seen::what)
          .containsExactly("fire", "fire", "fire", "deleted");
      assertThat(seen).allMatch(s -> s.address().equals(user));
      List<Long> times = seen.stream().limit(3).map(SchedulesIT.Seen::fireTime).toList();
      assertThat(times.get(1) - times.get(0)).isEqualTo(2000);
      assertThat(times.get(2) - times.get(1)).isEqualTo(2000);
    }
    // The protobuf command without timing was skipped, and the job carried on with the others.
    assertThat(seen("reminder-" + invalid)).isEmpty();
  }

  private static List<SchedulesIT.Seen> seen(String schedule) {
    return output.values("fire ", "deleted ").stream()
        .map(SchedulesIT.Seen::parse)
        .filter(s -> s.schedule().equals(schedule))
        .toList();
  }
}
