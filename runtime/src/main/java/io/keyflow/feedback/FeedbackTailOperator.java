package io.keyflow.feedback;

import io.keyflow.protocol.internal.Envelope;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The tail of the feedback loop: receives the messages dispatchers send to addresses of this
 * subtask and hands them to the head through the in-JVM channel; before each checkpoint barrier
 * passes, it hands over that checkpoint's sentinel (see {@link FeedbackHeadOperator}).
 */
public final class FeedbackTailOperator extends AbstractStreamOperator<Void>
    implements OneInputStreamOperator<Envelope, Void> {
  private static final long serialVersionUID = 1L;

  private final long memoryBudget;
  private transient ChannelKey channelKey;
  private transient FeedbackChannel channel;

  FeedbackTailOperator(StreamOperatorParameters<Void> parameters, long memoryBudget) {
    super(parameters);
    this.memoryBudget = memoryBudget;
  }

  @Override
  public void open() throws Exception {
    super.open();
    channelKey =
        new ChannelKey(
            getRuntimeContext().getJobInfo().getJobId().toString(),
            getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
            getRuntimeContext().getTaskInfo().getAttemptNumber());
    channel =
        FeedbackChannels.get(
            channelKey,
            memoryBudget,
            getContainingTask().getEnvironment().getIOManager().getSpillingDirectories()[0]);
  }

  @Override
  public void processElement(StreamRecord<Envelope> record) {
    channel.add(new FeedbackRecord.Message(record.getValue()));
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    super.prepareSnapshotPreBarrier(checkpointId);
    channel.add(new FeedbackRecord.Sentinel(checkpointId));
  }

  @Override
  public void close() throws Exception {
    if (channelKey != null) {
      FeedbackChannels.remove(channelKey);
    }
    super.close();
  }
}
