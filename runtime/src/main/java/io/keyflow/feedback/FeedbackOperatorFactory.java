package io.keyflow.feedback;

import io.keyflow.operators.MailboxOperatorFactory;
import io.keyflow.protocol.internal.Envelope;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;

/** Creates the head and the tail of the feedback loop. */
public final class FeedbackOperatorFactory {
  private FeedbackOperatorFactory() {}

  /**
   * @param memoryBudget heap bytes for queued and logged messages before they spill to disk
   */
  public static OneInputStreamOperatorFactory<Envelope, Envelope> head(long memoryBudget) {
    // The head starts a chain: its input is the ingresses' keyed union.
    return new MailboxOperatorFactory<>(
        parameters -> new FeedbackHeadOperator(parameters, memoryBudget),
        FeedbackHeadOperator.class,
        ChainingStrategy.HEAD);
  }

  public static OneInputStreamOperatorFactory<Envelope, Void> tail(long memoryBudget) {
    return new MailboxOperatorFactory<>(
        parameters -> new FeedbackTailOperator(parameters, memoryBudget),
        FeedbackTailOperator.class,
        ChainingStrategy.ALWAYS);
  }
}
