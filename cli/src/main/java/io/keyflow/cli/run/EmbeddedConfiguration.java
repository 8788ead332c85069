package io.keyflow.cli.run;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;

/**
 * The Flink configuration of an embedded run: the same choices as {@code flink-conf/config.yaml}
 * (RocksDB with incremental, aligned exactly-once checkpoints retained on cancellation, a
 * backing-off restart strategy, a fixed max parallelism), with checkpoints under the state
 * directory. {@code -D} options override any of them.
 */
public final class EmbeddedConfiguration {
  private EmbeddedConfiguration() {}

  static Configuration create(RunCommand run) {
    return of(
        run.checkpoints(), run.checkpointInterval, run.parallelism, run.restPort, run.options);
  }

  /** The configuration for checkpoints under {@code checkpoints}, with {@code options} last. */
  public static Configuration of(
      java.nio.file.Path checkpoints,
      java.time.Duration interval,
      int parallelism,
      String restPort,
      Map<String, String> options) {
    Configuration conf = new Configuration();
    Map<String, String> settings =
        Map.ofEntries(
            Map.entry("state.backend.type", "rocksdb"),
            Map.entry("execution.checkpointing.incremental", "true"),
            Map.entry("execution.checkpointing.dir", checkpoints.toUri().toString()),
            Map.entry(
                "execution.checkpointing.interval", TimeUtils.formatWithHighestUnit(interval)),
            Map.entry("execution.checkpointing.mode", "EXACTLY_ONCE"),
            Map.entry("execution.checkpointing.unaligned.enabled", "false"),
            Map.entry("execution.checkpointing.timeout", "2 min"),
            Map.entry("execution.checkpointing.tolerable-failed-checkpoints", "10"),
            Map.entry(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION"),
            Map.entry("pipeline.max-parallelism", "128"),
            Map.entry("execution.buffer-timeout.interval", "5 ms"),
            // As flink-conf/config.yaml: restored tasks catch up without a long first checkpoint.
            Map.entry("taskmanager.network.memory.buffer-debloat.enabled", "true"),
            Map.entry("parallelism.default", Integer.toString(parallelism)),
            Map.entry("restart-strategy.type", "exponential-delay"),
            Map.entry("restart-strategy.exponential-delay.initial-backoff", "1 s"),
            Map.entry("restart-strategy.exponential-delay.max-backoff", "1 min"),
            Map.entry("rest.address", "127.0.0.1"),
            Map.entry("rest.bind-address", "127.0.0.1"),
            Map.entry("rest.bind-port", restPort),
            Map.entry("metrics.fetcher.update-interval", "1 s"));
    settings.forEach(conf::setString);
    options.forEach(conf::setString);
    return conf;
  }
}
