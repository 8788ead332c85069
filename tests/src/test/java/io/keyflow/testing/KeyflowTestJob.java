package io.keyflow.testing;

import io.keyflow.io.Egress;
import io.keyflow.io.Ingress;
import io.keyflow.job.KeyflowTopology;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs a Keyflow job on the test's MiniCluster with RocksDB and frequent checkpoints. */
public final class KeyflowTestJob {
  private KeyflowTestJob() {}

  private static final String CHANGELOG_VARIABLE = "KEYFLOW_TEST_CHANGELOG";

  /**
   * A MiniCluster of one TaskManager with {@code slots} slots, shared by a test class; with a
   * changelog storage when the environment variable {@code KEYFLOW_TEST_CHANGELOG} is set.
   */
  public static org.apache.flink.test.junit5.MiniClusterExtension miniCluster(int slots) {
    Configuration conf = new Configuration();
    if (System.getenv(CHANGELOG_VARIABLE) != null) {
      try {
        conf = changelogStorage(java.nio.file.Files.createTempDirectory("keyflow-changelog"));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return miniCluster(slots, conf);
  }

  /** A MiniCluster of one TaskManager with {@code slots} slots and the settings {@code conf}. */
  public static org.apache.flink.test.junit5.MiniClusterExtension miniCluster(
      int slots, Configuration conf) {
    return new org.apache.flink.test.junit5.MiniClusterExtension(
        new org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration.Builder()
            .setConfiguration(conf)
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(slots)
            .build());
  }

  /**
   * The cluster settings of Flink's changelog state backend: the TaskManagers log state changes to
   * files in {@code dir} (docs/runtime.md#the-changelog-state-backend). A job turns the changelog
   * on with {@link #withChangelog}; without these settings its changes stay in memory only.
   */
  public static Configuration changelogStorage(Path dir) {
    Configuration conf = new Configuration();
    conf.setString("state.changelog.storage", "filesystem");
    conf.setString("state.changelog.dstl.dfs.base-path", dir.toUri().toString());
    return conf;
  }

  /** Flink settings of test jobs: RocksDB, aligned exactly-once checkpoints, quick restarts. */
  public static Configuration configuration(Path checkpoints, int parallelism, Duration interval) {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", "rocksdb");
    conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
    conf.setString("execution.checkpointing.interval", interval.toMillis() + " ms");
    conf.setString("execution.checkpointing.timeout", "60 s");
    conf.setString("restart-strategy.type", "fixed-delay");
    conf.setString("restart-strategy.fixed-delay.attempts", "10");
    conf.setString("restart-strategy.fixed-delay.delay", "200 ms");
    conf.setString("parallelism.default", Integer.toString(parallelism));
    if (System.getenv(CHANGELOG_VARIABLE) != null) {
      withChangelog(conf);
    }
    return conf;
  }

  /**
   * Turns on Flink's changelog state backend for a job of {@code conf}; every test job runs with it
   * when the environment variable {@code KEYFLOW_TEST_CHANGELOG} is set.
   */
  public static Configuration withChangelog(Configuration conf) {
    conf.setString("state.changelog.enabled", "true");
    return conf;
  }

  /**
   * Loads the endpoints from {@code moduleYaml}, adds the test ingress and egress, and runs the job
   * until the ingress is exhausted and every request is answered.
   */
  public static void run(
      Configuration conf, String moduleYaml, Ingress ingress, Egress egress, Duration timeout)
      throws Exception {
    JobClient job = start(conf, moduleYaml, ingress, egress);
    try {
      job.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      StuckJobReport.print("job " + job.getJobID() + " did not finish within " + timeout);
      job.cancel().get(30, TimeUnit.SECONDS);
      throw new AssertionError("the job did not finish within " + timeout, e);
    }
  }

  /** Submits a module (which may declare Kafka ingresses and egresses) plus test components. */
  public static JobClient start(
      Configuration conf, String moduleYaml, List<Ingress> ingresses, List<Egress> egresses)
      throws Exception {
    Module parsed = ModuleLoader.parse("module.yaml", moduleYaml);
    List<io.keyflow.module.IngressComponent> allIngresses =
        new java.util.ArrayList<>(parsed.ingresses());
    allIngresses.addAll(ingresses);
    List<io.keyflow.module.EgressComponent> allEgresses =
        new java.util.ArrayList<>(parsed.egresses());
    allEgresses.addAll(egresses);
    Module module =
        new Module(
            parsed.source(), parsed.endpoints(), allIngresses, allEgresses, parsed.schedules());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    KeyflowTopology.build(env, module, conf);
    return env.executeAsync("keyflow-test");
  }

  /** Submits the job and returns at once. */
  public static JobClient start(
      Configuration conf, String moduleYaml, Ingress ingress, Egress egress) throws Exception {
    Module parsed = ModuleLoader.parse("module.yaml", moduleYaml);
    Module module =
        new Module(
            parsed.source(),
            parsed.endpoints(),
            List.of(ingress),
            List.of(egress),
            parsed.schedules());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    KeyflowTopology.build(env, module, conf);
    return env.executeAsync("keyflow-test");
  }

  /**
   * Polls {@code check} until it returns true, failing at once if it throws (an over-count, for
   * example) or if the job ends, and failing after {@code timeout}.
   */
  public static void awaitWhileRunning(JobClient job, Duration timeout, Check check)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (check.done()) {
        return;
      }
      if (job.getJobExecutionResult().isDone()) {
        job.getJobExecutionResult().get();
        throw new AssertionError("the job ended before the expected outcome");
      }
      if (System.nanoTime() > deadline) {
        StuckJobReport.print("job " + job.getJobID() + ": no expected outcome within " + timeout);
        throw new AssertionError("no expected outcome within " + timeout + "; " + check);
      }
      Thread.sleep(100);
    }
  }

  /** Cancels the job and waits until it is gone. */
  public static void cancel(JobClient job) throws Exception {
    job.cancel().get(60, TimeUnit.SECONDS);
    try {
      job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException expected) {
      // A cancelled job completes exceptionally.
    }
  }

  /** A condition polled by {@link #awaitWhileRunning}. */
  @FunctionalInterface
  public interface Check {
    boolean done() throws Exception;
  }
}
