package io.keyflow.feedback;

import io.keyflow.operators.MailboxOperatorFactory;
import io.keyflow.protocol.internal.Envelope;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.runtime.state.KeyGroupRange;
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
 * side is kept, to take savepoints of that layout in tests; it never restores. The layout's values
 * are written out here rather than taken from the current head's log, so that a change there that
 * no longer reads such savepoints fails the tests.
 */
final class KeyedHeadOfEarlierVersions extends AbstractStreamOperator<Envelope>
    implements OneInputStreamOperator<Envelope, Envelope> {
  private static final long serialVersionUID = 1L;
  private static final int RECORDS_PER_MAIL = 512;
  private static final int LOG_VERSION = 1;
  private static final int LOG_MAGIC = 0x4B464C47;

  /** How many messages each checkpoint's logs held, by checkpoint id, over all subtasks. */
  static final Map<Long, AtomicLong> LOGGED = new java.util.concurrent.ConcurrentHashMap<>();

  private final long memoryBudget;
  private final transient MailboxExecutor mailbox;
  private transient ChannelKey channelKey;
  private transient FeedbackChannel channel;
  private transient TreeMap<Long, OpenLog> logs;
  private transient File spillDirectory;

  private record OpenLog(
      List<Envelope> messages,
      KeyedStateCheckpointOutputStream stream,
      ResourceGuard.Lease lease) {}

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
    logs.put(
        context.getCheckpointId(), new OpenLog(new ArrayList<>(), stream, stream.acquireLease()));
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
          open.messages().add(envelope);
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
            .addAndGet(open.messages().size());
        writeAsEarlierVersions(open.stream(), open.messages());
      } finally {
        open.lease().close();
      }
    }
  }

  /**
   * Writes every key group of this subtask, empty ones too, as the keyed head wrote them: the
   * format version, the marker, the count and each message behind its length, with no prefix for
   * timers.
   */
  private void writeAsEarlierVersions(KeyedStateCheckpointOutputStream stream, List<Envelope> log)
      throws IOException {
    int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
    KeyGroupRange range =
        KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
            maxParallelism,
            getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
            getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
    Map<Integer, List<byte[]>> byKeyGroup = new HashMap<>();
    for (Envelope envelope : log) {
      int keyGroup =
          KeyGroupRangeAssignment.assignToKeyGroup(envelope.getTarget().getId(), maxParallelism);
      byKeyGroup.computeIfAbsent(keyGroup, k -> new ArrayList<>()).add(envelope.toByteArray());
    }
    for (int keyGroup : range) {
      stream.startNewKeyGroup(keyGroup);
      DataOutputStream out = new DataOutputStream(new NonClosing(stream));
      List<byte[]> records = byKeyGroup.getOrDefault(keyGroup, List.of());
      out.writeInt(LOG_VERSION);
      out.writeInt(LOG_MAGIC);
      out.writeInt(records.size());
      for (byte[] bytes : records) {
        out.writeInt(bytes.length);
        out.write(bytes);
      }
      out.flush();
    }
  }

  @Override
  public void close() throws Exception {
    if (logs != null) {
      for (OpenLog open : logs.values()) {
        open.lease().close();
      }
      logs.clear();
    }
    if (channelKey != null) {
      FeedbackChannels.remove(channelKey);
    }
    super.close();
  }

  /** Lets a DataOutputStream write to the checkpoint stream without closing it. */
  private static final class NonClosing extends OutputStream {
    private final OutputStream target;

    NonClosing(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      target.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      target.flush();
    }

    @Override
    public void close() {}
  }
}
