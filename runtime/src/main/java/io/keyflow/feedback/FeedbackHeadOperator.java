package io.keyflow.feedback;

import io.keyflow.protocol.internal.Envelope;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyGroupStatePartitionStreamProvider;
import org.apache.flink.runtime.state.KeyedStateCheckpointOutputStream;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.ResourceGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the feedback loop: forwards ingress messages to the dispatcher and merges in the
 * messages functions sent to addresses of this subtask, which the tail hands over through an in-JVM
 * {@link FeedbackChannel}.
 *
 * <p><b>Exactly-once.</b> Flink's barriers do not travel through the channel, so the head logs what
 * is inside the loop itself. When checkpoint N reaches the head, it opens a log bound to N's raw
 * keyed state and holds the stream open with a lease. Every message it takes from the channel
 * afterwards is logged until the tail's sentinel for N arrives: the tail sends the sentinel when
 * N's barrier reaches it, after every message the dispatchers emitted before their own barriers.
 * The log then holds exactly the messages that had left a dispatcher but not yet come back at N; it
 * is written per target key group and the lease released, completing the checkpoint. A restore
 * re-emits the logged messages of the key groups it owns before anything else, at whatever
 * parallelism. Checkpoints must be aligned for this to hold.
 *
 * <p><b>Threading.</b> Runs on the task thread; the channel wakes it through the mailbox.
 */
public final class FeedbackHeadOperator extends AbstractStreamOperator<Envelope>
    implements OneInputStreamOperator<Envelope, Envelope> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(FeedbackHeadOperator.class);
  private static final int RECORDS_PER_MAIL = 512;

  private final long memoryBudget;
  private final transient MailboxExecutor mailbox;

  private transient ChannelKey channelKey;
  private transient FeedbackChannel channel;
  private transient SpillingQueue<FeedbackRecord> restored;
  private transient TreeMap<Long, OpenLog> logs;
  private transient File spillDirectory;
  private transient Counter looped;

  private record OpenLog(
      KeyGroupLog log, KeyedStateCheckpointOutputStream stream, ResourceGuard.Lease lease) {}

  FeedbackHeadOperator(StreamOperatorParameters<Envelope> parameters, long memoryBudget) {
    super(parameters);
    this.memoryBudget = memoryBudget;
    this.mailbox = parameters.getMailboxExecutor();
  }

  @Override
  protected boolean isUsingCustomRawKeyedState() {
    return true;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    logs = new TreeMap<>();
    spillDirectory =
        getContainingTask().getEnvironment().getIOManager().getSpillingDirectories()[0];
    restored =
        new SpillingQueue<>(FeedbackRecord.CODEC, memoryBudget, spillDirectory, "keyflow-restored");
    long count = 0;
    for (KeyGroupStatePartitionStreamProvider partition : context.getRawKeyedStateInputs()) {
      try (InputStream in = partition.getStream()) {
        count += readKeyGroup(partition.getKeyGroupId(), new DataInputStream(in));
      }
    }
    if (count > 0) {
      LOG.info("Restored {} message(s) that were inside the feedback loop", count);
    }
  }

  private long readKeyGroup(int keyGroup, DataInputStream in) throws IOException {
    int version = in.readInt();
    int magic = in.readInt();
    if (version != KeyGroupLog.VERSION || magic != KeyGroupLog.MAGIC) {
      throw new IOException(
          "key group "
              + keyGroup
              + " of the feedback loop's state is not a Keyflow feedback log (version "
              + version
              + ", marker "
              + Integer.toHexString(magic)
              + ")");
    }
    int count = in.readInt();
    for (int i = 0; i < count; i++) {
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      restored.add(new FeedbackRecord.Message(Envelope.parseFrom(bytes)));
    }
    return count;
  }

  @Override
  public void open() throws Exception {
    super.open();
    looped =
        new FeedbackMetrics(
                getMetricGroup(),
                new FeedbackMetrics.Channel() {
                  @Override
                  public long queued() {
                    return channel == null ? 0L : channel.size();
                  }

                  @Override
                  public long spilled() {
                    return channel == null ? 0L : channel.spilledTotal();
                  }

                  @Override
                  public long spilledBytes() {
                    return channel == null ? 0L : channel.spilledBytes();
                  }
                })
            .looped;
    channelKey =
        new ChannelKey(
            getRuntimeContext().getJobInfo().getJobId().toString(),
            getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
            getRuntimeContext().getTaskInfo().getAttemptNumber());
    channel = FeedbackChannels.get(channelKey, memoryBudget, spillDirectory);
    if (!restored.isEmpty()) {
      // Mails run before input, so every restored message is out before the next barrier.
      mailbox.execute(this::emitRestored, "keyflow feedback restore");
    }
    channel.registerConsumer(mailbox, this::drain);
  }

  @Override
  public void processElement(StreamRecord<Envelope> record) {
    output.collect(record);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    KeyedStateCheckpointOutputStream stream = context.getRawKeyedOperatorStateOutput();
    ResourceGuard.Lease lease = stream.acquireLease();
    int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
    logs.put(
        context.getCheckpointId(),
        new OpenLog(new KeyGroupLog(maxParallelism, memoryBudget, spillDirectory), stream, lease));
  }

  private void emitRestored() {
    FeedbackRecord record;
    while ((record = restored.poll()) != null) {
      output.collect(new StreamRecord<>(((FeedbackRecord.Message) record).envelope()));
    }
  }

  private void drain() throws Exception {
    channel.drainStarted();
    emitRestored();
    for (int i = 0; i < RECORDS_PER_MAIL; i++) {
      FeedbackRecord record = channel.poll();
      if (record == null) {
        return;
      }
      if (record instanceof FeedbackRecord.Sentinel sentinel) {
        commitLogsUpTo(sentinel.checkpointId());
      } else {
        Envelope envelope = ((FeedbackRecord.Message) record).envelope();
        for (OpenLog open : logs.values()) {
          open.log.append(envelope);
        }
        looped.inc();
        output.collect(new StreamRecord<>(envelope));
      }
    }
    channel.wakeConsumer();
  }

  private void commitLogsUpTo(long checkpointId) throws IOException {
    Iterator<Map.Entry<Long, OpenLog>> it = logs.headMap(checkpointId, true).entrySet().iterator();
    while (it.hasNext()) {
      OpenLog open = it.next().getValue();
      it.remove();
      try {
        open.log.writeTo(
            open.stream,
            KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()));
      } finally {
        open.lease.close();
        open.log.close();
      }
    }
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) throws Exception {
    super.notifyCheckpointAborted(checkpointId);
    OpenLog open = logs.remove(checkpointId);
    if (open != null) {
      open.lease.close();
      open.log.close();
    }
  }

  @Override
  public void close() throws Exception {
    if (logs != null) {
      for (OpenLog open : logs.values()) {
        open.lease.close();
        open.log.close();
      }
      logs.clear();
    }
    if (channelKey != null) {
      FeedbackChannels.remove(channelKey);
    }
    if (restored != null) {
      restored.close();
    }
    super.close();
  }
}
