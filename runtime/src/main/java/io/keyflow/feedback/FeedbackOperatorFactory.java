package io.keyflow.feedback;

import io.keyflow.protocol.internal.Envelope;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/** Creates the head and the tail of the feedback loop. */
public final class FeedbackOperatorFactory {
  private FeedbackOperatorFactory() {}

  /**
   * @param memoryBudget heap bytes for queued and logged messages before they spill to disk
   */
  public static OneInputStreamOperatorFactory<Envelope, Envelope> head(long memoryBudget) {
    return new Head(memoryBudget);
  }

  public static OneInputStreamOperatorFactory<Envelope, Void> tail(long memoryBudget) {
    return new Tail(memoryBudget);
  }

  private static final class Head extends AbstractStreamOperatorFactory<Envelope>
      implements OneInputStreamOperatorFactory<Envelope, Envelope> {
    private static final long serialVersionUID = 1L;
    private final long memoryBudget;

    Head(long memoryBudget) {
      this.memoryBudget = memoryBudget;
      setChainingStrategy(ChainingStrategy.HEAD);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T extends StreamOperator<Envelope>> T createStreamOperator(
        StreamOperatorParameters<Envelope> parameters) {
      return (T) new FeedbackHeadOperator(parameters, memoryBudget);
    }

    @Override
    public Class<? extends StreamOperator<?>> getStreamOperatorClass(ClassLoader classLoader) {
      return FeedbackHeadOperator.class;
    }
  }

  private static final class Tail extends AbstractStreamOperatorFactory<Void>
      implements OneInputStreamOperatorFactory<Envelope, Void> {
    private static final long serialVersionUID = 1L;
    private final long memoryBudget;

    Tail(long memoryBudget) {
      this.memoryBudget = memoryBudget;
      setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T extends StreamOperator<Void>> T createStreamOperator(
        StreamOperatorParameters<Void> parameters) {
      return (T) new FeedbackTailOperator(parameters, memoryBudget);
    }

    @Override
    public Class<? extends StreamOperator<?>> getStreamOperatorClass(ClassLoader classLoader) {
      return FeedbackTailOperator.class;
    }
  }
}
