package io.keyflow.testing;

import io.keyflow.protocol.internal.Envelope;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

/** Passes records through, and fails the task when its {@link FailurePlan} says so. */
final class FailureInjector extends RichMapFunction<Envelope, Envelope>
    implements CheckpointListener {
  private static final long serialVersionUID = 1L;

  private final String plan;
  private transient long records;
  private transient int checkpoints;

  FailureInjector(String plan) {
    this.plan = plan;
  }

  @Override
  public Envelope map(Envelope value) {
    records++;
    int attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
    if (FailurePlan.get(plan).fire(attempt, records, checkpoints)) {
      throw new InjectedFailure(
          "injected failure after " + records + " records and " + checkpoints + " checkpoints");
    }
    return value;
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    checkpoints++;
    FailurePlan.get(plan).checkpointCompleted(checkpointId);
  }

  /** Thrown on purpose; tests tell it from real failures by its type. */
  static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFailure(String message) {
      super(message);
    }
  }
}
