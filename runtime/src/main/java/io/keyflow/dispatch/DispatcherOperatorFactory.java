package io.keyflow.dispatch;

import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
import io.keyflow.operators.MailboxOperatorFactory;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.tracing.TracingSettings;
import java.util.Map;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.util.OutputTag;

/** Creates {@link DispatcherOperator}s, handing each its task's mailbox. */
public final class DispatcherOperatorFactory {
  private DispatcherOperatorFactory() {}

  /**
   * @param module the endpoints that serve function types
   * @param egresses the side output of each declared egress
   * @param maxInFlight addresses with an outstanding request per subtask before input pauses
   */
  public static OneInputStreamOperatorFactory<Envelope, Envelope> create(
      Module module, Map<TypeName, OutputTag<TypedValue>> egresses, int maxInFlight) {
    return create(module, egresses, maxInFlight, TracingSettings.OFF);
  }

  /**
   * @param module the endpoints that serve function types
   * @param egresses the side output of each declared egress
   * @param maxInFlight addresses with an outstanding request per subtask before input pauses
   * @param tracing where spans go, if anywhere
   */
  public static OneInputStreamOperatorFactory<Envelope, Envelope> create(
      Module module,
      Map<TypeName, OutputTag<TypedValue>> egresses,
      int maxInFlight,
      TracingSettings tracing) {
    Map<TypeName, OutputTag<TypedValue>> tags = Map.copyOf(egresses);
    for (io.keyflow.module.HttpEndpoint endpoint : module.endpoints()) {
      TypeName deadLetters = endpoint.failures().deadLetterEgress();
      if (deadLetters != null && !tags.containsKey(deadLetters)) {
        throw new IllegalArgumentException(
            module.source()
                + ": the endpoint for "
                + endpoint.functions()
                + " names failures.deadLetter.egress "
                + deadLetters
                + ", which the module does not declare; declared egresses: "
                + (tags.isEmpty()
                    ? "none"
                    : tags.keySet().stream().map(TypeName::toString).sorted().toList())
                + ". Add an io.statefun.kafka.v1/egress with that id.");
      }
    }
    return new MailboxOperatorFactory<>(
        parameters -> new DispatcherOperator(parameters, module, tags, maxInFlight, tracing),
        DispatcherOperator.class,
        ChainingStrategy.ALWAYS);
  }
}
