package io.keyflow.tracing;

import io.keyflow.protocol.internal.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.List;

/**
 * Reads and writes W3C trace context headers ({@code traceparent}, {@code tracestate}) with
 * OpenTelemetry's propagator, to and from the {@link TraceContext} that Keyflow's records carry.
 */
public final class TraceHeaders {
  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private static final TextMapGetter<TraceContext> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceContext carrier) {
          return List.of(TRACEPARENT, TRACESTATE);
        }

        @Override
        public String get(TraceContext carrier, String key) {
          if (carrier == null) {
            return null;
          }
          String value =
              TRACEPARENT.equals(key)
                  ? carrier.getTraceparent()
                  : TRACESTATE.equals(key) ? carrier.getTracestate() : "";
          return value.isEmpty() ? null : value;
        }
      };

  private static final TextMapSetter<TraceContext.Builder> SETTER =
      (carrier, key, value) -> {
        if (carrier == null) {
          return;
        }
        if (TRACEPARENT.equals(key)) {
          carrier.setTraceparent(value);
        } else if (TRACESTATE.equals(key)) {
          carrier.setTracestate(value);
        }
      };

  private TraceHeaders() {}

  /**
   * The span context {@code trace} names, marked remote; null when it names none or is malformed (a
   * wrong length, version, id or flags): such a context is ignored, never an error.
   */
  public static SpanContext parse(TraceContext trace) {
    if (trace == null || trace.getTraceparent().isEmpty()) {
      return null;
    }
    SpanContext context =
        Span.fromContext(W3C.extract(Context.root(), trace, GETTER)).getSpanContext();
    return context.isValid() ? context : null;
  }

  /** The headers naming {@code context} as the parent of what comes next. */
  public static TraceContext format(SpanContext context) {
    TraceContext.Builder headers = TraceContext.newBuilder();
    W3C.inject(Context.root().with(Span.wrap(context)), headers, SETTER);
    return headers.build();
  }
}
