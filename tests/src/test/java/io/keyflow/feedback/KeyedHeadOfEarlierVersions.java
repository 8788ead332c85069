package io.keyflow.feedback;

import io.keyflow.operators.MailboxOperatorFactory;
import io.keyflow.protocol.internal.Envelope;
import java.io.File;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateCheckpointOutputStream;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.ResourceGuard;

/**
 * The feedback head as Keyflow built it before the head stopped being keyed: a keyed operator that
 * writes the loop's log into its own raw keyed state, under the head's UID. Only its checkpoint
 * side is kept, to take savepoints of that layout in tests; it never restores.
 */
final class KeyedHeadOfEarlierVersions extends AbstractStreamOperator<Envelope>
    implements OneInputStreamOperator<Envelope, Envelope> {
  private static final long serialVersionUID = 1L;
  private static final int RECORDS_PER_MAIL = 512;

  /** How many messages each checkpoint's logs held, by checkpoint id, over all subtasks. */
  static final Map<Long, AtomicLong> LOGGED = new java.util.concurrent.ConcurrentHashMap<>();

  private final long memoryBudget;
  private final transient MailboxExecutor mailbox;
  private transient ChannelKey channelKey;
  private transient FeedbackChannel channel;
  private transient TreeMap<Long, OpenLog> logs;
  private transient File spillDirectory;

  private record OpenLog(
      KeyGroupLog log, KeyedStateCheckpointOutputStream stream, ResourceGuard.Lease lease) {}

  private KeyedHeadOfEarlierVersions(StreamOperatorParameters<Envelope> parameters, long budget) {
    super(parameters);
    this.memoryBudget = budget;
    this.mailbox = parameters.getMailboxExecutor();
  }

  static OneInputStreamOperatorFactory<Envelope, Envelope> factory(long memoryBudget) {
    return new MailboxOperatorFactory<>(
        parameters -> new KeyedHeadOfEarlierVersions(parameters, memoryBudget),
        KeyedHeadOfEarlierVersions.class,
        ChainingStrategy.HEAD);
  }

  @Override
  protected boolean isUsingCustomRawKeyedState() {
    return true;
  }

  @Override
  public void open() throws Exception {
    super.open();
    logs = new TreeMap<>();
    spillDirectory =
        getContainingTask().getEnvironment().getIOManager().getSpillingDirectories()[0];
    channelKey =
        new ChannelKey(
            getRuntimeContext().getJobInfo().getJobId().toString(),
            getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
            getRuntimeContext().getTaskInfo().getAttemptNumber());
    channel = FeedbackChannels.get(channelKey, memoryBudget, spillDirectory);
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
    int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
    logs.put(
        context.getCheckpointId(),
        new OpenLog(
            new KeyGroupLog(maxParallelism, memoryBudget, spillDirectory),
            stream,
            stream.acquireLease()));
  }

  private void drain() throws Exception {
    channel.drainStarted();
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
          open.log().append(envelope);
        }
        output.collect(new StreamRecord<>(envelope));
      }
    }
    channel.wakeConsumer();
  }

  private void commitLogsUpTo(long checkpointId) throws IOException {
    Iterator<Map.Entry<Long, OpenLog>> it = logs.headMap(checkpointId, true).entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, OpenLog> entry = it.next();
      OpenLog open = entry.getValue();
      it.remove();
      try {
        LOGGED
            .computeIfAbsent(entry.getKey(), id -> new AtomicLong())
            .addAndGet(open.log().records());
        open.log()
            .writeAsEarlierKeyedHeadTo(
                open.stream(),
                KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                    getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks(),
                    getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()));
      } finally {
        open.lease().close();
        open.log().close();
      }
    }
  }

  @Override
  public void close() throws Exception {
    if (logs != null) {
      for (OpenLog open : logs.values()) {
        open.lease().close();
        open.log().close();
      }
      logs.clear();
    }
    if (channelKey != null) {
      FeedbackChannels.remove(channelKey);
    }
    super.close();
  }
}
