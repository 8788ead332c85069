package io.keyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.cluster.ClusterProcess;
import io.keyflow.cli.cluster.LocalCluster;
import io.keyflow.cli.flink.FlinkJobs;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.functions.FunctionServer;
import io.keyflow.testing.CliProcess;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.TestFunctions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodDescriptor;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Keyflow job jar on a standalone Flink cluster of real processes (one JobManager, three
 * TaskManagers, started with {@code keyflow cluster start}), submitted and stopped with the CLI,
 * against the real test broker: a counter that forwards each count across the feedback loop to a
 * function writing to an exactly-once Kafka egress that declares its topic (so its transactions are
 * pooled). A TaskManager killed with {@code kill -9} is replaced with {@code keyflow cluster
 * add-taskmanager}; the test logs how long the job took to run again and to commit new output, and
 * each surviving TaskManager's steps from its log (figures, not assertions: they depend on the
 * machine).
 *
 * <p>The kill test runs first, so the spare TaskManager that takes over the lost tasks is a JVM
 * that has run no job (a cold spare); with {@code -Dkeyflow.e2e.spare=warm} it runs last, after the
 * rescaling test's job ran at parallelism 3 on every TaskManager (a warm spare). The test logs
 * which of the two it measured, from the TaskManagers' logs.
 */
@ExtendWith(KafkaBroker.class)
@TestMethodOrder(ClusterE2E.SpareOrder.class)
class ClusterE2E {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterE2E.class);
  private static final TypeName EGRESS = TypeName.typeNameOf("ce", "out");
  private static final String OPTIONS = "keyflow.e2e.flink-options";

  /** The egress's transaction naming, pooling unless this property says incrementing. */
  private static final String NAMING = "keyflow.e2e.transaction-naming";

  /** {@code cold} (default) or {@code warm}: whether the spare has run a job before the kill. */
  private static final String SPARE = "keyflow.e2e.spare";

  /**
   * Arguments for {@code keyflow cluster start} besides the test's own, separated by spaces or
   * commas, such as {@code --no-warm-up} or {@code --no-job-jar-in-lib --no-rocksdb-library-in-lib}
   * to measure without them.
   */
  private static final String CLUSTER_ARGS = "keyflow.e2e.cluster-args";

  private static final String KILL_TEST =
      "aKilledTaskManagerIsReplacedAndTheCommittedOutputIsExact";

  /** The kill test first (a cold spare) or last (a warm one), as {@link #SPARE} says. */
  public static final class SpareOrder implements MethodOrderer {
    @Override
    public void orderMethods(MethodOrdererContext context) {
      boolean killLast = warmSpare();
      context
          .getMethodDescriptors()
          .sort(
              Comparator.comparing(
                  (MethodDescriptor m) -> m.getMethod().getName().equals(KILL_TEST) == killLast));
    }
  }

  private static boolean warmSpare() {
    String spare = System.getProperty(SPARE, "cold");
    if (!spare.equals("cold") && !spare.equals("warm")) {
      throw new IllegalArgumentException("-D" + SPARE + "=" + spare + ": expected cold or warm");
    }
    return spare.equals("warm");
  }

  @TempDir static Path dir;
  private static String outTopic;
  private static FunctionServer functions;
  private static CommittedTopicReader output;
  private static LocalCluster cluster;
  private static URI rest;

  @BeforeAll
  static void startClusterAndFunctions() throws Exception {
    // LocalCluster, used here to find the cluster's processes, locates the build through this.
    System.setProperty("keyflow.home", CliProcess.ROOT.toString());
    outTopic = "ce-out-" + UUID.randomUUID();
    KafkaBroker.createTopic(outTopic, 2);
    output = new CommittedTopicReader(outTopic);
    functions =
        FunctionServer.start(
            TestFunctions.of(
                TestFunctions.kafkaCounter(
                    "ce", "counter", EGRESS, outTopic, TypeName.typeNameOf("ce", "forward")),
                TestFunctions.kafkaForwarder("ce", "forward", EGRESS, outTopic)),
            "127.0.0.1",
            0);
    int restPort = freePort();
    Path clusterDir = dir.resolve("cluster");
    cluster = new LocalCluster(clusterDir);
    // If this JVM is stopped before the tests end, the cluster's processes must not outlive it.
    LocalCluster started = cluster;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    started.stop(Duration.ofSeconds(10));
                  } catch (Exception e) {
                    // The JVM is ending; nothing more can be done.
                  }
                }));
    // The shipped flink-conf/config.yaml as it is (unless OPTIONS names candidates): the recovery
    // figures below are the ones users get. Three TaskManagers of one slot each: a job at
    // parallelism 2 spans two of them, so after
    // a kill one task restarts where it ran (from local state) and the other on the spare.
    List<String> start =
        new ArrayList<>(
            List.of(
                "cluster",
                "start",
                "--taskmanagers",
                "3",
                "--slots",
                "1",
                "--rest-port",
                "" + restPort,
                "--dir",
                clusterDir.toString()));
    // A candidate setting is measured by running this test with it, before it is shipped:
    // -Dkeyflow.e2e.flink-options=key=value,key=value
    for (String option : System.getProperty(OPTIONS, "").split(",")) {
      if (!option.isBlank()) {
        start.addAll(List.of("-D", option.trim()));
      }
    }
    for (String arg : System.getProperty(CLUSTER_ARGS, "").split("[\\s,]+")) {
      if (!arg.isBlank()) {
        start.add(arg);
      }
    }
    LOG.info(
        "Cluster options over the shipped configuration: [{}]; cluster start arguments: [{}];"
            + " egress transaction naming: {}; spare: {}",
        System.getProperty(OPTIONS, ""),
        System.getProperty(CLUSTER_ARGS, ""),
        System.getProperty(NAMING, "pooling"),
        warmSpare() ? "warm (the kill test runs last)" : "cold (the kill test runs first)");
    CliProcess.runToEnd(dir, Duration.ofMinutes(3), start.toArray(String[]::new));
    rest = cluster.restAddress();
  }

  @AfterAll
  static void stopClusterAndFunctions() throws Exception {
    try {
      if (cluster != null) {
        List<Long> pids = cluster.runningPids();
        CliProcess.runToEnd(
            dir, Duration.ofMinutes(1), "cluster", "stop", "--dir", cluster.dir().toString());
        assertThat(pids)
            .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
      }
    } finally {
      if (cluster != null) {
        // Whatever happened above, no cluster process outlives the test.
        cluster.stop(Duration.ofSeconds(30));
        keepLogs(cluster.dir().resolve("log"));
      }
      output.close();
      functions.close();
    }
  }

  @Test
  void aKilledTaskManagerIsReplacedAndTheCommittedOutputIsExact() throws Exception {
    int keys = 500;
    int records = 50_000;
    // Half the input now, half right after the kill: the job may drain the first half before the
    // kill, and the output that proves recovery must come from the restarted tasks.
    String in = inputTopic("kill", keys, records / 2);
    String job = submit(in, 2, null);

    awaitCommitted("kill-", 10_000, Duration.ofMinutes(3));
    List<String> status =
        CliProcess.runToEnd(dir, Duration.ofMinutes(1), "status", "--rest", rest.toString());
    assertThat(status).anyMatch(l -> l.startsWith("job " + job) && l.contains("RUNNING"));
    assertThat(status).anyMatch(l -> l.trim().startsWith("checkpoints: "));
    assertThat(status).anyMatch(l -> l.contains("Source: kafka ce/in"));
    assertThat(status).anyMatch(l -> l.startsWith("cluster: 3 TaskManagers"));

    ClusterProcess victim = TaskManagerReplacement.oneRunningTasks(cluster, rest);
    String loadAtKill = loadAverage();
    long killedAt = System.nanoTime();
    long killedAtMillis = System.currentTimeMillis();
    new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).start().waitFor();
    CompletableFuture<Void> secondHalf =
        CompletableFuture.runAsync(
            () -> {
              try {
                produce(in, "kill", keys, records / 2, records);
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    TaskManagerLossWatch.Times times =
        new TaskManagerLossWatch(new FlinkRest(rest), job, victim.name(), killedAt)
            .awaitRecovery(Duration.ofMinutes(2));
    // Output of the restarted tasks is what they wrote after the failover began; anything
    // written before it is either committed already or aborted.
    long outputAt =
        awaitCommittedWrittenAfter(
            "kill-", killedAtMillis + times.millis(times.failoverSeenAt()), Duration.ofMinutes(2));
    LOG.info(
        "Recovery after kill -9 of {} (pid {}): TaskManager unregistered after {} ms, failover"
            + " seen after {} ms, job RUNNING again after {} ms, first new committed output after"
            + " {} ms; load average (1, 5, 15 min) {} at the kill, {} now",
        victim.name(),
        victim.pid(),
        times.millis(times.unregisteredAt()),
        times.millis(times.failoverSeenAt()),
        times.millis(times.runningAt()),
        times.millis(outputAt),
        loadAtKill,
        loadAverage());
    logTimelines(victim, killedAtMillis);
    LOG.info(
        "JobManager after the kill: {}",
        RecoveryTimeline.firstCheckpointAfterRestore(
            cluster.dir().resolve("log").resolve("jobmanager.log"), killedAtMillis));

    List<String> afterLoss =
        CliProcess.runToEnd(dir, Duration.ofMinutes(1), "status", "--rest", rest.toString());
    assertThat(afterLoss)
        .as("status shows the lost TaskManager and why the job restarted")
        .anyMatch(l -> l.startsWith("cluster: 2 TaskManagers"))
        .anyMatch(l -> l.trim().startsWith("latest failure at "));

    TaskManagerReplacement.replace(dir, cluster, rest, victim);

    secondHalf.get(2, TimeUnit.MINUTES);
    awaitCommitted("kill-", records, Duration.ofMinutes(5));
    new FlinkJobs(new FlinkRest(rest)).savepoint(job, null, true, Duration.ofMinutes(2));

    List<String> out = committed("kill-");
    assertThat(out).hasSize(records);
    assertThat(new HashSet<>(out)).isEqualTo(expected("kill", keys, records));
  }

  @Test
  void stopWithSavepointAndRestoreAtParallelismOneThenThreeKeepsOutputExact() throws Exception {
    int keys = 300;
    int records = 30_000;
    String in = inputTopic("scale", keys, records);
    String job = submit(in, 2, null);

    awaitCommitted("scale-", 5_000, Duration.ofMinutes(3));
    String savepoint = stopWithSavepoint(job);
    job = submit(in, 1, savepoint);

    // Let the restored job make progress of its own before stopping it again.
    awaitCommitted(
        "scale-",
        Math.min(records - 1_000, committed("scale-").size() + 3_000),
        Duration.ofMinutes(3));
    savepoint = stopWithSavepoint(job);
    job = submit(in, 3, savepoint);

    awaitCommitted("scale-", records, Duration.ofMinutes(5));
    new FlinkJobs(new FlinkRest(rest)).savepoint(job, null, true, Duration.ofMinutes(2));

    List<String> out = committed("scale-");
    assertThat(out).hasSize(records);
    assertThat(new HashSet<>(out)).isEqualTo(expected("scale", keys, records));
  }

  /**
   * Logs each surviving TaskManager's steps after the kill (tasks received, class loader, RocksDB,
   * lingering Kafka transactions, tasks running) with their times, read from its log.
   */
  private static void logTimelines(ClusterProcess victim, long killedAtMillis) throws IOException {
    for (ClusterProcess process : cluster.processes()) {
      if (process.isTaskManager() && !process.name().equals(victim.name())) {
        Path log = cluster.dir().resolve("log").resolve(process.name() + ".log");
        RecoveryTimeline.Before before = RecoveryTimeline.before(log, killedAtMillis);
        LOG.info(
            "{} ({}) after the kill:\n  {}",
            process.name(),
            (before.tasks() == 0
                    ? "cold: it had received no task before the kill"
                    : "warm: it had received "
                        + before.tasks()
                        + " tasks before the kill"
                        + (before.rocksDbLoaded() ? " and loaded RocksDB's library" : ""))
                + (before.warmUp().isEmpty()
                    ? "; not warmed up"
                    : "; warmed up before the kill " + before.warmUp()),
            String.join("\n  ", RecoveryTimeline.read(log, killedAtMillis)));
      }
    }
  }

  /**
   * Copies the cluster's logs next to the test reports: the job manager's log is where a recovery's
   * time can be read step by step.
   */
  private static void keepLogs(Path logs) {
    Path kept = CliProcess.ROOT.resolve("tests/target/cluster-e2e-logs");
    try (var files = Files.list(logs)) {
      Files.createDirectories(kept);
      for (Path log : (Iterable<Path>) files::iterator) {
        Files.copy(log, kept.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      LOG.warn("Could not keep the cluster's logs from {}", logs, e);
    }
  }

  /** A topic holding {@code records} records over {@code keys} keys {@code <prefix>-<k>}. */
  private static String inputTopic(String prefix, int keys, int records) throws Exception {
    String in = "ce-in-" + prefix + "-" + UUID.randomUUID();
    KafkaBroker.createTopic(in, 2);
    produce(in, prefix, keys, 0, records);
    return in;
  }

  /** Records {@code from} (inclusive) to {@code to} of the input, round-robin over the keys. */
  private static void produce(String in, String prefix, int keys, int from, int to)
      throws Exception {
    List<String[]> input = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      input.add(new String[] {prefix + "-" + (i % keys), "x"});
    }
    KafkaBroker.produce(in, input);
  }

  private static Set<String> expected(String prefix, int keys, int records) {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < records; i++) {
      expected.add(prefix + "-" + (i % keys) + "=" + (i / keys + 1));
    }
    return expected;
  }

  private String submit(String in, int parallelism, String savepoint) throws Exception {
    Path module = dir.resolve("module-" + in + ".yaml");
    Files.writeString(module, module(in));
    List<String> args =
        new ArrayList<>(
            List.of(
                "submit",
                "--rest",
                rest.toString(),
                "--module",
                module.toString(),
                "--parallelism",
                "" + parallelism));
    if (savepoint != null) {
      args.addAll(List.of("--from-savepoint", savepoint));
    }
    long started = System.nanoTime();
    List<String> out = CliProcess.runToEnd(dir, Duration.ofMinutes(2), args.toArray(String[]::new));
    String job =
        out.stream()
            .filter(l -> l.startsWith("Submitted job "))
            .map(l -> l.substring("Submitted job ".length()).trim())
            .findFirst()
            .orElseThrow(() -> new AssertionError("no job id in " + out));
    new FlinkJobs(new FlinkRest(rest)).awaitState(job, List.of("RUNNING"), Duration.ofMinutes(2));
    LOG.info(
        "Submitted job {} at parallelism {}{} in {} ms",
        job,
        parallelism,
        savepoint == null ? "" : " from " + savepoint,
        (System.nanoTime() - started) / 1_000_000);
    return job;
  }

  private String stopWithSavepoint(String job) throws Exception {
    long started = System.nanoTime();
    List<String> out;
    try {
      out =
          CliProcess.runToEnd(
              dir,
              Duration.ofMinutes(8),
              "savepoint",
              "--rest",
              rest.toString(),
              "--stop",
              "--job",
              job);
    } catch (AssertionError e) {
      // Say where the job was stuck: its state, each vertex's task states, its checkpoints.
      FlinkRest client = new FlinkRest(rest);
      throw new AssertionError(
          e.getMessage()
              + "; job: "
              + client.get("/jobs/" + job).path("vertices")
              + "; checkpoints: "
              + client.get("/jobs/" + job + "/checkpoints").path("counts")
              + "; logs in "
              + cluster.dir().resolve("log"),
          e);
    }
    String line =
        out.stream()
            .filter(l -> l.startsWith("Stopped job "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no savepoint in " + out));
    String location =
        line.substring(line.indexOf(" with savepoint ") + " with savepoint ".length());
    LOG.info(
        "Stopped job {} with savepoint {} in {} ms",
        job,
        location,
        (System.nanoTime() - started) / 1_000_000);
    return location.trim();
  }

  private static String module(String in) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: ce/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: ce/in
          address: %s
          consumerGroupId: group-%s
          topics:
            - topic: %s
              valueType: keyflow.test/raw
              targets:
                - ce/counter
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: ce/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 2 min
            transactionNaming: %s
          topics: [%s]
        """
        .formatted(
            functions.baseUrl(),
            KafkaBroker.bootstrapServers(),
            in,
            in,
            KafkaBroker.bootstrapServers(),
            System.getProperty(NAMING, "pooling"),
            outTopic);
  }

  private static List<String> committed(String prefix) {
    return output.values(prefix);
  }

  /** Waits until at least {@code count} records with the prefix are committed; returns when. */
  private static long awaitCommitted(String prefix, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (committed(prefix).size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            committed(prefix).size()
                + " of "
                + count
                + " records committed after "
                + timeout
                + "; cluster logs in "
                + cluster.dir().resolve("log"));
      }
      Thread.sleep(100);
    }
    return System.nanoTime();
  }

  /**
   * Waits until a record with the prefix is committed that its producer wrote after {@code
   * wallClockMillis} (the records' create time); returns when it was read.
   */
  private static long awaitCommittedWrittenAfter(
      String prefix, long wallClockMillis, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (output.records().stream()
        .noneMatch(
            r ->
                r.timestamp() > wallClockMillis
                    && new String(r.value(), StandardCharsets.UTF_8).startsWith(prefix))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no output written after the failover began was committed within "
                + timeout
                + "; cluster logs in "
                + cluster.dir().resolve("log"));
      }
      Thread.sleep(20);
    }
    return System.nanoTime();
  }

  /** The machine's load averages over 1, 5 and 15 minutes, where Linux tells them. */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * A port that is free now, below Linux's ephemeral range (32768 and up): a port the kernel hands
   * out could be taken by any outgoing connection between this check and the JobManager binding it,
   * which refused the cluster's start once.
   */
  private static int freePort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // Try another.
      }
    }
    throw new IOException("no free port between 20000 and 32000 in 100 tries");
  }
}
