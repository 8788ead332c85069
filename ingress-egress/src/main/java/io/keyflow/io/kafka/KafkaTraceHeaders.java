package io.keyflow.io.kafka;

import io.keyflow.protocol.internal.TraceContext;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The W3C trace context of a Kafka record, in its {@code traceparent} and {@code tracestate}
 * headers as OpenTelemetry's Kafka instrumentation writes them. Read as they come: the dispatcher
 * judges them when tracing is on, and ignores a malformed one.
 */
final class KafkaTraceHeaders {
  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";

  /** Longer headers are no trace context (a traceparent has 55 characters, a tracestate ≤ 512). */
  static final int MAX_TRACEPARENT_BYTES = 256;

  static final int MAX_TRACESTATE_BYTES = 512;

  private KafkaTraceHeaders() {}

  /** The record's trace context, or null when it has no {@code traceparent} header. */
  static TraceContext read(Headers headers) {
    Header parent = headers.lastHeader(TRACEPARENT);
    if (parent == null || parent.value() == null || parent.value().length > MAX_TRACEPARENT_BYTES) {
      return null;
    }
    TraceContext.Builder trace =
        TraceContext.newBuilder()
            .setTraceparent(new String(parent.value(), StandardCharsets.UTF_8));
    Header state = headers.lastHeader(TRACESTATE);
    if (state != null && state.value() != null && state.value().length <= MAX_TRACESTATE_BYTES) {
      trace.setTracestate(new String(state.value(), StandardCharsets.UTF_8));
    }
    return trace.build();
  }

  /** Headers carrying {@code trace}; null when there is none to carry. */
  static Headers write(TraceContext trace) {
    if (trace == null || trace.getTraceparent().isEmpty()) {
      return null;
    }
    RecordHeaders headers = new RecordHeaders();
    headers.add(TRACEPARENT, trace.getTraceparent().getBytes(StandardCharsets.UTF_8));
    if (!trace.getTracestate().isEmpty()) {
      headers.add(TRACESTATE, trace.getTracestate().getBytes(StandardCharsets.UTF_8));
    }
    return headers;
  }
}
