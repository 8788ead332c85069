package io.keyflow.dispatch;

import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.util.OutputTag;

/** Creates {@link DispatcherOperator}s, handing each its task's mailbox. */
public final class DispatcherOperatorFactory extends AbstractStreamOperatorFactory<Envelope>
    implements OneInputStreamOperatorFactory<Envelope, Envelope> {
  private static final long serialVersionUID = 1L;

  private final Module module;
  private final Map<TypeName, OutputTag<TypedValue>> egresses;
  private final int maxInFlight;

  /**
   * @param module the endpoints that serve function types
   * @param egresses the side output of each declared egress
   * @param maxInFlight addresses with an outstanding request per subtask before input pauses
   */
  public DispatcherOperatorFactory(
      Module module, Map<TypeName, OutputTag<TypedValue>> egresses, int maxInFlight) {
    this.module = module;
    this.egresses = Map.copyOf(egresses);
    this.maxInFlight = maxInFlight;
    setChainingStrategy(ChainingStrategy.ALWAYS);
  }

  @SuppressWarnings("unchecked")
  @Override
  public <T extends StreamOperator<Envelope>> T createStreamOperator(
      StreamOperatorParameters<Envelope> parameters) {
    return (T) new DispatcherOperator(parameters, module, egresses, maxInFlight);
  }

  @Override
  public Class<? extends StreamOperator<?>> getStreamOperatorClass(ClassLoader classLoader) {
    return DispatcherOperator.class;
  }
}
