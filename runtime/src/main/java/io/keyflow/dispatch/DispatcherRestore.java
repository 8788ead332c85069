package io.keyflow.dispatch;

import io.keyflow.delay.DelayedMessages;
import io.keyflow.protocol.internal.DelayedEnvelope;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a dispatcher subtask takes up from restored keyed state when it opens: the requests that
 * were outstanding at the checkpoint (sent again: functions may see an invocation twice, its
 * effects apply once) and the delayed messages still to come (counted per sending function type).
 *
 * <p>Runs on the task thread, in {@code open}; changes the current key.
 */
final class DispatcherRestore {
  private static final Logger LOG = LoggerFactory.getLogger(DispatcherRestore.class);

  private DispatcherRestore() {}

  /** The requests outstanding at the restored checkpoint, tracked again, to be sent. */
  static List<Pending> requests(
      DispatcherOperator operator,
      RequestStore store,
      RequestTracker tracker,
      FunctionRegistry functions)
      throws Exception {
    List<Pending> resend = new ArrayList<>();
    for (RequestStore.Restored r : store.restored(operator.<String>getKeyedStateBackend())) {
      functions.get(r.key()).metrics().backlogChanged(r.backlog());
      resend.add(
          tracker.restore(r.key(), r.invocations(), r.backlog(), r.batchesFirst(), r.batchesEnd()));
    }
    if (!resend.isEmpty()) {
      LOG.info(
          "Re-sending {} request(s) that were outstanding at the restored checkpoint",
          resend.size());
    }
    return resend;
  }

  /** Counts the delayed messages a restore brought back, per sending function type. */
  static void delays(
      DispatcherOperator operator,
      DelayedMessages delayed,
      ListStateDescriptor<DelayedEnvelope> messages,
      FunctionRegistry functions)
      throws Exception {
    operator.getPartitionedState(0L, LongSerializer.INSTANCE, messages);
    RestoredDelays.count(
        operator.<String>getKeyedStateBackend(),
        messages,
        (id, fireTime) -> {
          operator.setCurrentKey(id);
          delayed.remember(fireTime);
          return operator.getPartitionedState(fireTime, LongSerializer.INSTANCE, messages).get();
        },
        (caller, count) -> functions.get(AddressKey.of(caller)).metrics().delayedChanged(count));
  }
}
