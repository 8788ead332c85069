package io.keyflow.io.gateway;

import io.undertow.server.HttpServerExchange;

/**
 * {@code GET /v1/status}: what this instance is doing, as JSON; 503 once it no longer reads
 * replies, so that a load balancer's health check takes it out.
 */
final class StatusRoute {
  private final GatewaySpec spec;
  private final ReplyStore replies;
  private final ReplyListener listener;
  private final WaitingLimits limits;
  private final CallRoute calls;

  StatusRoute(
      GatewaySpec spec,
      ReplyStore replies,
      ReplyListener listener,
      WaitingLimits limits,
      CallRoute calls) {
    this.spec = spec;
    this.replies = replies;
    this.listener = listener;
    this.limits = limits;
    this.calls = calls;
  }

  void status(HttpServerExchange exchange) {
    boolean reading = listener.reading();
    Responses.json(
        exchange,
        reading ? 200 : 503,
        "{\"gateway\":"
            + Responses.quote(spec.id().toString())
            + ",\"replies\":"
            + Responses.quote(spec.exactlyOnceReplies() ? "exactly-once" : "at-least-once")
            + ",\"readingReplies\":"
            + reading
            + ",\"caughtUp\":"
            + listener.caughtUp()
            + ",\"waitingCalls\":"
            + limits.waitingCalls()
            + ",\"waitingFetches\":"
            + limits.waitingFetches()
            + ",\"keptReplies\":"
            + replies.kept()
            + ",\"callsWritten\":"
            + calls.written()
            + ",\"callsNotWritten\":"
            + calls.notWritten()
            + ",\"repliesRead\":"
            + listener.repliesRead()
            + "}");
  }
}
