package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.cli.Keyflow;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.NodeFunctionServer;
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
 * Dynamic schedules that functions on the StateFun Java and JavaScript SDKs create, with a JSON or
 * a protobuf body, take fires of and delete, against a running job: a real Kafka broker, the job on
 * a MiniCluster with RocksDB, functions that record every fire through an exactly-once egress, and
 * {@code keyflow schedules list} reading the schedules one by one from the job's latest completed
 * checkpoint.
 */
@ExtendWith(KafkaBroker.class)
class DynamicSchedulesIT {
  /** Two slots for the job, one for the local job that reads a checkpoint. */
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(3);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeName EGRESS = TypeName.typeNameOf("ds", "out");
  private static ScheduledFunctions functions;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws Exception {
    functions =
        ScheduledFunctions.start(
            "ds",
            topic ->
                TestFunctions.of(
                    ScheduleFunctions.planner(TypeName.typeNameOf("ds", "planner")),
                    ScheduleFunctions.recorder(
                        TypeName.typeNameOf("ds", "recorder"), EGRESS, topic),
                    ScheduleFunctions.reminder(
                        TypeName.typeNameOf("ds", "reminder"), EGRESS, topic, "2s")));
  }

  @AfterAll
  static void stopFunctions() {
    functions.close();
  }

  /**
   * Keyflow's shipped checkpoint settings: every 100 ms, the last two retained, so a checkpoint is
   * usually subsumed before a read of it ends and the listing takes a savepoint instead.
   */
  private Configuration conf() {
    Configuration conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(100));
    conf.setString("execution.checkpointing.num-retained", "2");
    return conf;
  }

  /**
   * Runs {@code keyflow schedules list} and returns what it printed on stdout and stderr, and its
   * status.
   */
  private static synchronized Printed list(String... args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    int status;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
    try {
      List<String> all = new ArrayList<>(List.of("schedules", "list"));
      all.addAll(List.of(args));
      status = new CommandLine(new Keyflow()).execute(all.toArray(String[]::new));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    return new Printed(
        status,
        captured.toString(StandardCharsets.UTF_8),
        capturedErr.toString(StandardCharsets.UTF_8));
  }

  record Printed(int status, String out, String err) {
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
        functions.module(
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
  void onTheChangelogStateBackendTheListingReadsASavepointItTookAndSaysWhy(
      @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> customers = List.of("l0-" + run, "l1-" + run);
    FailurePlan.register("planned-changelog", FailurePlan.never());
    GeneratedIngress plans =
        GeneratedIngress.of(
                customers.size(),
                i ->
                    TestFunctions.message(
                        "ds", "planner", customers.get(i.intValue()), "plan 2099-01-01T09:00:00Z"))
            .lingering()
            .failing("planned-changelog");
    // The MiniCluster has no changelog storage configured, so the changes stay in its memory: the
    // listing goes by the job's changelog setting alone.
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.withChangelog(conf()), functions.module(""), List.of(plans), List.of());
    Printed[] last = new Printed[1];
    try {
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(2),
          () -> {
            last[0] = list("--rest", cluster.getWebInterfaceURL(), "--json");
            return last[0].status() == 0
                && last[0].json().path("dynamic").path("total").asLong() == customers.size();
          });
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(last[0].err())
        .contains("changelog state backend")
        .contains("taking a savepoint to list from instead")
        .doesNotContain("Could not read the latest checkpoint");
    String source = last[0].json().path("dynamic").path("source").path("path").asText();
    assertThat(source).contains("keyflow-schedules-list-");
    assertThat(Path.of(URI.create(source))).doesNotExist();
  }

  @Test
  void aFunctionSetsItsScheduleWithAProtobufBodyFromTheJavaSdkAndAnInvalidOneIsSkipped()
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> users = List.of("p1-" + run, "p2-" + run);
    String invalid = "p0-" + run;

    runReminders("protobuf-reminders", users, "start-protobuf", invalid, "start-protobuf-invalid");

    functions.assertThreeRemindersThenDeleted(users);
    assertThat(functions.seen("reminder-" + invalid))
        .as("the protobuf command without timing was skipped, and the job carried on")
        .isEmpty();
  }

  @Test
  void
      aFunctionCreatesItsOwnScheduleWithTheJavaSdkAndDeletesItAfterThreeFiresAndAMisspeltOneIsSkipped()
          throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> users = List.of("u1-" + run, "u2-" + run, "u3-" + run);
    String misspelt = "u0-" + run;

    runReminders("reminders", users, "start", misspelt, "start-misspelt");

    functions.assertThreeRemindersThenDeleted(users);
    assertThat(functions.seen("reminder-" + misspelt))
        .as("the misspelt command was skipped, and the job carried on with the others")
        .isEmpty();
  }

  /**
   * Runs a job whose input sends {@code badCommand} to the Java reminder of {@code badUser} and
   * {@code command} to those of {@code users}, until each of theirs fired three times and was
   * deleted.
   */
  private void runReminders(
      String plan, List<String> users, String command, String badUser, String badCommand)
      throws Exception {
    FailurePlan.register(plan, FailurePlan.never());
    GeneratedIngress start =
        GeneratedIngress.of(
                users.size() + 1,
                i ->
                    i == 0
                        ? TestFunctions.message("ds", "reminder", badUser, badCommand)
                        : TestFunctions.message(
                            "ds", "reminder", users.get(i.intValue() - 1), command))
            .lingering()
            .failing(plan);
    JobClient job = KeyflowTestJob.start(conf(), functions.module(""), List.of(start), List.of());
    try {
      functions.awaitRemindersDeleted(job, Duration.ofMinutes(1), users);
    } finally {
      KeyflowTestJob.cancel(job);
    }
  }

  @Test
  void aFunctionCreatesItsOwnScheduleWithTheJavaScriptSdkAndDeletesItAfterThreeFires()
      throws Exception {
    FailurePlan.register("js-reminders", FailurePlan.never());
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> users = List.of("j1-" + run, "j2-" + run);
    GeneratedIngress start =
        GeneratedIngress.of(
                users.size(),
                i -> TestFunctions.message("scjs", "reminder", users.get(i.intValue()), "start"))
            .lingering()
            .failing("js-reminders");
    try (NodeFunctionServer js =
        NodeFunctionServer.start("reminder-server.js", "scjs", functions.topic(), "2s")) {
      JobClient job =
          KeyflowTestJob.start(
              conf(),
              ScheduledFunctions.module("scjs", js.baseUrl(), ""),
              List.of(start),
              List.of());
      try {
        functions.awaitRemindersDeleted(job, Duration.ofMinutes(2), users);
      } finally {
        KeyflowTestJob.cancel(job);
      }
    }

    functions.assertThreeRemindersThenDeleted(users);
  }
}
