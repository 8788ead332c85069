package io.keyflow.feedback;

import java.io.DataInputStream;
import java.io.File;
import java.io.InputStream;
import org.apache.flink.runtime.state.KeyGroupStatePartitionStreamProvider;
import org.apache.flink.runtime.state.KeyedStateCheckpointOutputStream;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the feedback loop's log in the raw keyed state of the keyed operator chained after the
 * head, so that the head needs no keyed state backend of its own (a keyed head would take a RocksDB
 * checkpoint of an empty database on the task thread at every checkpoint).
 *
 * <p>The host calls {@link #restore} from {@code initializeState} and {@link #snapshot} from {@code
 * snapshotState}, and must declare {@code isUsingCustomRawKeyedState()}. At a checkpoint the host
 * lends its raw keyed state stream to the head of the same subtask, which writes the log into it
 * when the tail's sentinel arrives and then releases it; at a restore the host reads the log and
 * hands it to the head, which re-emits it before anything else.
 */
public final class FeedbackLogHost {
  private static final Logger LOG = LoggerFactory.getLogger(FeedbackLogHost.class);

  private FeedbackLogHost() {}

  /** Reads the restored log of the subtask's key groups and queues it for the head. */
  public static void restore(AbstractStreamOperator<?> host, StateInitializationContext context)
      throws Exception {
    if (!context.isRestored()) {
      return;
    }
    LogStreams streams = LogStreams.of(key(host));
    File spill =
        host.getContainingTask().getEnvironment().getIOManager().getSpillingDirectories()[0];
    long count = 0;
    for (KeyGroupStatePartitionStreamProvider partition : context.getRawKeyedStateInputs()) {
      try (InputStream in = partition.getStream()) {
        SpillingQueue<FeedbackRecord> queue = streams.restoredQueue(spill);
        count +=
            KeyGroupLog.readHostKeyGroup(
                partition.getKeyGroupId(),
                new DataInputStream(in),
                envelope -> queue.add(new FeedbackRecord.Message(envelope)));
      }
    }
    if (count > 0) {
      LOG.info("Restored {} message(s) that were inside the feedback loop", count);
    }
  }

  /** Lends the checkpoint's raw keyed state stream to the head, if one runs on this subtask. */
  public static void snapshot(AbstractStreamOperator<?> host, StateSnapshotContext context)
      throws Exception {
    LogStreams streams = LogStreams.find(key(host));
    if (streams == null || !streams.headAttached()) {
      return;
    }
    KeyedStateCheckpointOutputStream stream = context.getRawKeyedOperatorStateOutput();
    streams.lend(context.getCheckpointId(), new LogStreams.Lent(stream, stream.acquireLease()));
  }

  static ChannelKey key(AbstractStreamOperator<?> operator) {
    var context = operator.getRuntimeContext();
    return new ChannelKey(
        context.getJobInfo().getJobId().toString(),
        context.getTaskInfo().getIndexOfThisSubtask(),
        context.getTaskInfo().getAttemptNumber());
  }
}
