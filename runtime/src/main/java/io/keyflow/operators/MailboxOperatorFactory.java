package io.keyflow.operators;

import java.io.Serializable;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Creates one-input operators from their {@link StreamOperatorParameters}, which carry the task's
 * mailbox: Keyflow's operators hand asynchronous work back to the task thread through it.
 */
public final class MailboxOperatorFactory<IN, OUT> extends AbstractStreamOperatorFactory<OUT>
    implements OneInputStreamOperatorFactory<IN, OUT> {
  private static final long serialVersionUID = 1L;

  /** Builds the operator; must be serializable (a lambda over serializable values is). */
  @FunctionalInterface
  public interface Constructor<IN, OUT> extends Serializable {
    OneInputStreamOperator<IN, OUT> create(StreamOperatorParameters<OUT> parameters);
  }

  private final Constructor<IN, OUT> constructor;
  private final Class<? extends StreamOperator<?>> operatorClass;

  public MailboxOperatorFactory(
      Constructor<IN, OUT> constructor,
      Class<? extends StreamOperator<?>> operatorClass,
      ChainingStrategy chaining) {
    this.constructor = constructor;
    this.operatorClass = operatorClass;
    setChainingStrategy(chaining);
  }

  @SuppressWarnings("unchecked")
  @Override
  public <T extends StreamOperator<OUT>> T createStreamOperator(
      StreamOperatorParameters<OUT> parameters) {
    return (T) constructor.create(parameters);
  }

  @Override
  public Class<? extends StreamOperator<?>> getStreamOperatorClass(ClassLoader classLoader) {
    return operatorClass;
  }
}
