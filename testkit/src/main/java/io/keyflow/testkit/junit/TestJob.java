package io.keyflow.testkit.junit;

import io.keyflow.job.KeyflowTopology;
import io.keyflow.module.Module;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A module's job on a MiniCluster of its own: one TaskManager with as many slots as the
 * parallelism, RocksDB, aligned exactly-once checkpoints into a temporary folder, and restarts from
 * the last checkpoint after a failure.
 */
final class TestJob implements AutoCloseable {
  private final MiniCluster cluster;
  private final JobID job;

  private TestJob(MiniCluster cluster, JobID job) {
    this.cluster = cluster;
    this.job = job;
  }

  static Configuration configuration(Path checkpoints, int parallelism, long intervalMillis) {
    Configuration conf = new Configuration();
    conf.setString("state.backend.type", "rocksdb");
    conf.setString("execution.checkpointing.incremental", "true");
    conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
    conf.setString("execution.checkpointing.interval", intervalMillis + " ms");
    conf.setString("execution.checkpointing.mode", "EXACTLY_ONCE");
    conf.setString("execution.checkpointing.unaligned.enabled", "false");
    conf.setString("execution.checkpointing.timeout", "60 s");
    conf.setString("restart-strategy.type", "fixed-delay");
    conf.setString("restart-strategy.fixed-delay.attempts", "100");
    conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
    conf.setString("parallelism.default", Integer.toString(parallelism));
    conf.setString("execution.buffer-timeout.interval", "5 ms");
    conf.setString("rest.address", "127.0.0.1");
    conf.setString("rest.bind-address", "127.0.0.1");
    conf.setString("rest.bind-port", "0");
    return conf;
  }

  /** Starts a MiniCluster of one TaskManager with {@code slots} slots. */
  static MiniCluster startCluster(Configuration conf, int slots) throws Exception {
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
    cluster.start();
    return cluster;
  }

  /** Submits the module's job to {@code cluster}, which the returned job closes with itself. */
  static TestJob submit(MiniCluster cluster, Module module, Configuration conf) throws Exception {
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
    KeyflowTopology.build(env, module, conf);
    JobID job = cluster.submitJob(env.getStreamGraph()).get(2, TimeUnit.MINUTES).getJobID();
    return new TestJob(cluster, job);
  }

  /** Waits until every task of the job runs; fails if the job ends or the time is up. */
  void awaitRunning(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JobStatus status = cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
      if (status.isGloballyTerminalState()) {
        throw new AssertionError(
            "the Keyflow job ended (" + status + ") before it ran: " + failureCause());
      }
      if (status == JobStatus.RUNNING && allTasksRunning()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the Keyflow job's tasks were not all running within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  private boolean allTasksRunning() throws Exception {
    for (AccessExecutionVertex vertex :
        cluster
            .getArchivedExecutionGraph(job)
            .get(10, TimeUnit.SECONDS)
            .getAllExecutionVertices()) {
      if (vertex.getExecutionState() != ExecutionState.RUNNING) {
        return false;
      }
    }
    return true;
  }

  private String failureCause() {
    try {
      var result = cluster.requestJobResult(job).get(10, TimeUnit.SECONDS);
      return result
          .getSerializedThrowable()
          .map(t -> t.getFullStringifiedStackTrace())
          .orElse("no failure recorded");
    } catch (Exception e) {
      return "unknown (" + e + ")";
    }
  }

  /** Whether the job has ended (failed past its restarts, or was cancelled). */
  boolean ended() throws Exception {
    return cluster.getJobStatus(job).get(10, TimeUnit.SECONDS).isGloballyTerminalState();
  }

  @Override
  public void close() throws Exception {
    try {
      if (!ended()) {
        cluster.cancelJob(job).get(60, TimeUnit.SECONDS);
        cluster.requestJobResult(job).get(60, TimeUnit.SECONDS);
      }
    } finally {
      cluster.closeAsync().get(60, TimeUnit.SECONDS);
    }
  }
}
