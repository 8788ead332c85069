package io.keyflow.feedback;

import io.keyflow.protocol.internal.Envelope;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** A keyed operator that hosts the loop's log as the dispatcher does, and nothing else. */
final class LogHostOperator extends AbstractStreamOperator<Envelope>
    implements OneInputStreamOperator<Envelope, Envelope> {
  private static final long serialVersionUID = 1L;

  @Override
  protected boolean isUsingCustomRawKeyedState() {
    return true;
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    FeedbackLogHost.restore(this, context);
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    FeedbackLogHost.snapshot(this, context);
  }

  @Override
  public void processElement(StreamRecord<Envelope> record) {
    output.collect(record);
  }
}
