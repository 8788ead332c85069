package io.keyflow.feedback;

import io.keyflow.protocol.internal.Envelope;
import java.io.File;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of the feedback loop: forwards ingress messages to the dispatcher and merges in the
 * messages functions sent to addresses of this subtask, which the tail hands over through an in-JVM
 * {@link FeedbackChannel}.
 *
 * <p><b>Exactly-once.</b> Flink's barriers do not travel through the channel, so the head logs what
 * is inside the loop itself. When checkpoint N reaches the head, it opens a log for N. Every
 * message it takes from the channel afterwards is logged until the tail's sentinel for N arrives:
 * the tail sends the sentinel when N's barrier reaches it, after every message the dispatchers
 * emitted before their own barriers. The log then holds exactly the messages that had left a
 * dispatcher but not yet come back at N. It is written per target key group into the raw keyed
 * state stream that the keyed operator chained after the head lent for N ({@link FeedbackLogHost}),
 * and the stream released, completing the checkpoint. The head itself is not keyed and has no keyed
 * state backend. A restore re-emits the logged messages of the key groups this subtask owns before
 * anything else, at whatever parallelism, including the log that earlier, keyed versions of the
 * head wrote under its own UID ({@link LegacyHeadLog}). Checkpoints must be aligned for this to
 * hold.
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
  private transient TreeMap<Long, KeyGroupLog> logs;
  private transient LogStreams streams;
  private transient SpillingQueue<FeedbackRecord> hostRestored;
  private transient boolean hostRestoredTaken;
  private transient File spillDirectory;
  private transient Counter looped;

  FeedbackHeadOperator(StreamOperatorParameters<Envelope> parameters, long memoryBudget) {
    super(parameters);
    this.memoryBudget = memoryBudget;
    this.mailbox = parameters.getMailboxExecutor();
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    logs = new TreeMap<>();
    spillDirectory =
        getContainingTask().getEnvironment().getIOManager().getSpillingDirectories()[0];
    restored =
        new SpillingQueue<>(FeedbackRecord.CODEC, memoryBudget, spillDirectory, "keyflow-restored");
    long count =
        LegacyHeadLog.read(
            getContainingTask().getEnvironment().getTaskStateManager(),
            getOperatorID(),
            envelope -> restored.add(new FeedbackRecord.Message(envelope)));
    if (count > 0) {
      LOG.info(
          "Restored {} message(s) that were inside the feedback loop from the head's own state,"
              + " as versions with a keyed head wrote it",
          count);
    }
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
    streams = LogStreams.of(channelKey);
    streams.attachHead();
    // Mails run before input, so every restored message is out before the next barrier. The
    // host's restored log is taken in the mail, when every operator of the chain has opened.
    mailbox.execute(this::emitRestored, "keyflow feedback restore");
    channel.registerConsumer(mailbox, this::drain);
  }

  @Override
  public void processElement(StreamRecord<Envelope> record) {
    output.collect(record);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
    logs.put(
        context.getCheckpointId(), new KeyGroupLog(maxParallelism, memoryBudget, spillDirectory));
  }

  private void emitRestored() {
    emit(restored);
    if (!hostRestoredTaken) {
      hostRestoredTaken = true;
      hostRestored = streams.takeRestored();
    }
    if (hostRestored != null) {
      emit(hostRestored);
      hostRestored.close();
      hostRestored = null;
    }
  }

  private void emit(SpillingQueue<FeedbackRecord> queue) {
    FeedbackRecord record;
    while ((record = queue.poll()) != null) {
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
        for (KeyGroupLog log : logs.values()) {
          log.append(envelope);
        }
        looped.inc();
        output.collect(new StreamRecord<>(envelope));
      }
    }
    channel.wakeConsumer();
  }

  private void commitLogsUpTo(long checkpointId) throws IOException {
    Iterator<Map.Entry<Long, KeyGroupLog>> it =
        logs.headMap(checkpointId, true).entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, KeyGroupLog> entry = it.next();
      it.remove();
      LogStreams.Lent lent = streams.take(entry.getKey());
      try (KeyGroupLog log = entry.getValue()) {
        if (lent == null) {
          throw new IllegalStateException(
              "checkpoint "
                  + entry.getKey()
                  + ": no keyed operator chained after the feedback head lent its raw keyed state"
                  + " for the loop's log (FeedbackLogHost), so the messages inside the loop"
                  + " cannot be written");
        }
        log.writeTo(
            lent.stream(),
            KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()));
      } finally {
        if (lent != null) {
          lent.lease().close();
        }
      }
    }
  }

  @Override
  public void notifyCheckpointAborted(long checkpointId) throws Exception {
    super.notifyCheckpointAborted(checkpointId);
    KeyGroupLog log = logs.remove(checkpointId);
    if (log != null) {
      log.close();
    }
    LogStreams.Lent lent = streams == null ? null : streams.take(checkpointId);
    if (lent != null) {
      lent.lease().close();
    }
  }

  @Override
  public void close() throws Exception {
    if (logs != null) {
      for (KeyGroupLog log : logs.values()) {
        log.close();
      }
      logs.clear();
    }
    if (channelKey != null) {
      LogStreams.remove(channelKey);
      FeedbackChannels.remove(channelKey);
    }
    if (restored != null) {
      restored.close();
    }
    if (hostRestored != null) {
      hostRestored.close();
    }
    super.close();
  }
}
