package io.keyflow.cli.run;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.graph.StreamGraph;

/** A Flink MiniCluster in this JVM: one TaskManager, with its REST API for the status line. */
public final class EmbeddedFlink implements AutoCloseable {
  private final MiniCluster cluster;

  private EmbeddedFlink(MiniCluster cluster) {
    this.cluster = cluster;
  }

  public static EmbeddedFlink start(Configuration conf, int slots) throws Exception {
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
    cluster.start();
    return new EmbeddedFlink(cluster);
  }

  public JobID submit(StreamGraph graph) throws Exception {
    return cluster.submitJob(graph).get(2, TimeUnit.MINUTES).getJobID();
  }

  public URI restAddress() throws Exception {
    return cluster.getRestAddress().get(30, TimeUnit.SECONDS);
  }

  public CompletableFuture<JobResult> result(JobID job) {
    return cluster.requestJobResult(job);
  }

  /** The TaskManagers registered with the cluster's ResourceManager. */
  int taskManagers() throws Exception {
    return cluster.getResourceOverview().get(10, TimeUnit.SECONDS).getNumberTaskManagers();
  }

  /** Starts another TaskManager with the configured slots, in place of one that is gone. */
  void startTaskManager() throws Exception {
    cluster.startTaskManager();
  }

  JobStatus status(JobID job) throws Exception {
    return cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
  }

  /** Cancels the job and waits for it to end; the last completed checkpoint stays on disk. */
  public void cancel(JobID job, Duration timeout) throws Exception {
    if (status(job).isGloballyTerminalState()) {
      return;
    }
    cluster.cancelJob(job).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    try {
      result(job).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException("the job did not stop within " + timeout + " of being cancelled");
    }
  }

  @Override
  public void close() throws Exception {
    cluster.closeAsync().get(10, TimeUnit.SECONDS);
  }
}
