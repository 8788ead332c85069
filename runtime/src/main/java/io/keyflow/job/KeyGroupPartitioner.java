package io.keyflow.job;

import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Sends a record to the subtask that owns its key's key group, as {@code keyBy} does, without
 * making the receiving operator keyed.
 *
 * <p>Why: the feedback tail only hands records to the head of its own subtask and keeps no state;
 * the head keeps none of its own either (its log goes to the dispatcher's raw keyed state). Behind
 * a {@code keyBy} Flink gives each a keyed state backend all the same, and with RocksDB that is a
 * database of its own whose native checkpoint (a new directory, a copy of the MANIFEST, the CURRENT
 * file and their {@code fsync} calls) runs on the task thread at every checkpoint for nothing.
 * Routing with the same key-group arithmetic keeps every message on the subtask that owns its
 * target.
 */
final class KeyGroupPartitioner implements Partitioner<String> {
  private static final long serialVersionUID = 1L;

  private final int maxParallelism;

  KeyGroupPartitioner(int maxParallelism) {
    if (maxParallelism <= 0) {
      throw new IllegalArgumentException(
          "max parallelism must be set before the feedback loop is built, got " + maxParallelism);
    }
    this.maxParallelism = maxParallelism;
  }

  @Override
  public int partition(String key, int numPartitions) {
    return KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism, numPartitions);
  }
}
