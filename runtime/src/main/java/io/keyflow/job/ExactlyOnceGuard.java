package io.keyflow.job;

import io.keyflow.io.Egress;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;

/** Refuses Flink configurations under which Keyflow could lose or duplicate effects. */
final class ExactlyOnceGuard {
  static final String TIMER_SERVICE_KEY = "state.backend.rocksdb.timer-service.factory";

  private ExactlyOnceGuard() {}

  static void check(Configuration conf, List<Egress> egresses) {
    if (conf.get(CheckpointingOptions.ENABLE_UNALIGNED)
        || conf.get(CheckpointingOptions.FORCE_UNALIGNED)) {
      throw new JobConfigurationException(
          CheckpointingOptions.ENABLE_UNALIGNED.key()
              + " is true, but Keyflow needs aligned checkpoints: messages that functions send"
              + " each other loop back through the job, and only aligned barriers keep them"
              + " exactly-once. Remove the setting or set it to false.");
    }
    boolean checkpointing =
        conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isPresent();
    if (checkpointing
        && CheckpointingOptions.getCheckpointingMode(conf) != CheckpointingMode.EXACTLY_ONCE) {
      throw new JobConfigurationException(
          CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE.key()
              + " is "
              + CheckpointingOptions.getCheckpointingMode(conf)
              + ", under which a restore can apply a function's effects twice. Set it to"
              + " EXACTLY_ONCE (the default).");
    }
    String timers = conf.toMap().getOrDefault(TIMER_SERVICE_KEY, "ROCKSDB");
    if (!timers.equalsIgnoreCase("ROCKSDB")) {
      throw new JobConfigurationException(
          TIMER_SERVICE_KEY
              + " is "
              + timers
              + "; Keyflow keeps its timers in RocksDB because heap timers would share the"
              + " raw keyed state Keyflow uses for in-transit messages. Remove the setting or"
              + " set it to ROCKSDB.");
    }
    if (!checkpointing) {
      List<String> transactional =
          egresses.stream()
              .filter(Egress::requiresCheckpointing)
              .map(e -> e.id().toString())
              .toList();
      if (!transactional.isEmpty()) {
        throw new JobConfigurationException(
            "egress "
                + String.join(", ", transactional)
                + " delivers exactly-once, which commits on checkpoints, but checkpointing is"
                + " off. Set "
                + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                + " (for example 10s) or use an at-least-once egress.");
      }
    }
  }
}
