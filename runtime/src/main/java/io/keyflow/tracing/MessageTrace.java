package io.keyflow.tracing;

import io.opentelemetry.api.trace.SpanContext;

/**
 * The trace of one message on its way to a function.
 *
 * @param parent the context the message arrived with; null when the message starts a trace
 * @param receivedAtNanos when the dispatcher received it, in nanoseconds since the epoch
 */
record MessageTrace(SpanContext parent, long receivedAtNanos) {

  /** Whether Keyflow records spans for this message. */
  boolean sampled() {
    return parent == null || parent.isSampled();
  }
}
