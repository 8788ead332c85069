package io.keyflow.tracing;

import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.opentelemetry.api.trace.Span;
import java.util.List;

/**
 * The traces of the messages of one request to a function, and the spans Keyflow has open for it.
 * Lives with the request on the task thread.
 */
public final class BatchTrace {
  final List<MessageTrace> messages;
  private final List<Invocation> invocations;

  /** Whether the messages' queue spans are recorded (they end when the first call starts). */
  boolean queued;

  /** The context the HTTP call's span is a child of; null until the first call. */
  io.opentelemetry.api.trace.SpanContext lead;

  /** The current HTTP call's span, or the last one once it ended; null when not sampled. */
  Span call;

  /** The span of applying the response; null when not sampled or not started. */
  Span apply;

  int attempts;

  BatchTrace(List<MessageTrace> messages, List<Invocation> invocations) {
    this.messages = messages;
    this.invocations = invocations;
  }

  /** The request's invocations, as the function must see them (without trace fields). */
  public List<Invocation> invocations() {
    return invocations;
  }
}
