package io.keyflow.io.gateway;

import io.keyflow.io.Replies;
import io.keyflow.protocol.gateway.GatewayRequest;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.TraceContext;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns calls into messages, keyed by the invocation id's {@linkplain InvocationIds#slot slot}. A
 * call made with an Idempotency-Key has a slot derived from that key and its target; the first call
 * is delivered and the slot is remembered for the idempotency window, so a client's retry (written
 * again by whichever gateway instance it reached), or another request reusing the key, is dropped.
 * Calls without a key have fresh ids and pass without touching state.
 */
final class FirstRequests extends KeyedProcessFunction<String, GatewayRequest, Envelope> {
  private static final long serialVersionUID = 1L;

  /** State name; savepoints find the remembered ids by it. */
  static final String SEEN_STATE = "keyflow-gateway-seen";

  private final Duration ttl;
  private transient ValueState<Boolean> seen;
  private transient Counter duplicates;

  FirstRequests(Duration ttl) {
    this.ttl = ttl;
  }

  @Override
  public void open(OpenContext context) {
    ValueStateDescriptor<Boolean> descriptor =
        new ValueStateDescriptor<>(SEEN_STATE, Types.BOOLEAN);
    descriptor.enableTimeToLive(
        StateTtlConfig.newBuilder(ttl)
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
            .build());
    seen = getRuntimeContext().getState(descriptor);
    duplicates = getRuntimeContext().getMetricGroup().counter("keyflowGatewayDuplicateCalls");
  }

  @Override
  public void processElement(GatewayRequest request, Context context, Collector<Envelope> out)
      throws Exception {
    if (request.getIdempotent()) {
      if (seen.value() != null) {
        duplicates.inc();
        return;
      }
      seen.update(true);
    }
    Envelope.Builder envelope =
        Envelope.newBuilder()
            .setTarget(request.getTarget())
            .setCaller(Replies.caller(request.getInvocationId()));
    if (request.hasControl()) {
      // An admin request: the dispatcher acts on the target itself, nothing goes to the function.
      envelope.setControl(request.getControl());
    } else {
      envelope.setPayload(request.getArgument());
    }
    if (!request.getTraceparent().isEmpty()) {
      envelope.setTrace(
          TraceContext.newBuilder()
              .setTraceparent(request.getTraceparent())
              .setTracestate(request.getTracestate()));
    }
    out.collect(envelope.build());
  }
}
