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
    return conf;
  }

  /**
   * Loads the endpoints from {@code moduleYaml}, adds the test ingress and egress, and runs the job
   * until the ingress is exhausted and every request is answered.
   */
  public static void run(
      Configuration conf, String moduleYaml, Ingress ingress, Egress egress, Duration timeout)
      throws Exception {
    Module parsed = ModuleLoader.parse("module.yaml", moduleYaml);
    Module module =
        new Module(parsed.source(), parsed.endpoints(), List.of(ingress), List.of(egress));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    KeyflowTopology.build(env, module, conf);
    JobClient job = env.executeAsync("keyflow-test");
    try {
      job.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      job.cancel().get(30, TimeUnit.SECONDS);
      throw new AssertionError("the job did not finish within " + timeout, e);
    }
  }
}
