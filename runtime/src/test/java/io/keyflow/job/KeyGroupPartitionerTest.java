package io.keyflow.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class KeyGroupPartitionerTest {

  @Test
  void everyKeyGoesToTheSubtaskWhoseKeyGroupsHoldIt() {
    int maxParallelism = 128;
    KeyGroupPartitioner partitioner = new KeyGroupPartitioner(maxParallelism);
    for (int parallelism : new int[] {1, 2, 3, 7, 128}) {
      for (int i = 0; i < 2_000; i++) {
        String key = "id-" + i;
        int subtask = partitioner.partition(key, parallelism);
        KeyGroupRange owned =
            KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                maxParallelism, parallelism, subtask);
        assertThat(owned.contains(KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism)))
            .as("key %s at parallelism %d went to subtask %d", key, parallelism, subtask)
            .isTrue();
      }
    }
  }

  @Test
  void anUnsetMaxParallelismIsRefused() {
    assertThatThrownBy(() -> new KeyGroupPartitioner(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max parallelism");
  }
}
