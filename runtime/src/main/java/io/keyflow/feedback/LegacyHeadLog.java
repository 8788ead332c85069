package io.keyflow.feedback;

import io.keyflow.protocol.internal.Envelope;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.function.Consumer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.runtime.checkpoint.StateObjectCollection;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateCheckpointOutputStream;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.TaskStateManager;

/**
 * Reads the loop's log that earlier versions of the head wrote into their own raw keyed state,
 * under the head's UID, while the head was a keyed operator.
 *
 * <p>Flink still assigns that state to the head's subtasks by key group when the head is no longer
 * keyed, but refuses a non-keyed operator its raw keyed state inputs ({@code
 * StateInitializationContext#getRawKeyedStateInputs} throws), and would otherwise drop them
 * silently. So the head reads its restored handles from the task's state manager itself, the way
 * Flink reads raw keyed state: each handle's key groups at their offsets. The head writes no raw
 * keyed state any more, so this state is read at the first restore after an upgrade and gone from
 * the next checkpoint on.
 */
final class LegacyHeadLog {
  private LegacyHeadLog() {}

  /**
   * Passes every logged message of the restored checkpoint's head state to {@code sink}.
   *
   * @return how many there were
   */
  static long read(TaskStateManager states, OperatorID head, Consumer<Envelope> sink)
      throws IOException {
    Iterator<StateObjectCollection<KeyedStateHandle>> alternatives =
        states.prioritizedOperatorState(head).getPrioritizedRawKeyedState().iterator();
    if (!alternatives.hasNext()) {
      return 0;
    }
    // Flink keeps raw keyed state only in the checkpoint itself: one alternative, no local copy.
    long count = 0;
    for (KeyedStateHandle handle : alternatives.next()) {
      if (!(handle instanceof KeyGroupsStateHandle groups)) {
        throw new IOException(
            "the feedback head's restored raw keyed state is a "
                + handle.getClass().getName()
                + ", not the key groups the head wrote");
      }
      try (FSDataInputStream in = groups.openInputStream()) {
        for (Tuple2<Integer, Long> keyGroup : groups.getGroupRangeOffsets()) {
          if (keyGroup.f1 == KeyedStateCheckpointOutputStream.NO_OFFSET_SET) {
            continue;
          }
          in.seek(keyGroup.f1);
          count += KeyGroupLog.read(keyGroup.f0, new DataInputStream(in), sink);
        }
      }
    }
    return count;
  }
}
