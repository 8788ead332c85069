package io.keyflow.io.gateway;

import io.keyflow.module.Durations;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/invocations/{id}}: the reply to an earlier call. With {@code ?wait=} it parks
 * until the reply comes, within {@code limits.maxWaitingFetches} parked fetches per instance, a
 * bound of their own so that fetches never take the room of calls.
 */
final class FetchRoute {
  private final GatewaySpec spec;
  private final ReplyStore replies;
  private final WaitingLimits limits;

  FetchRoute(GatewaySpec spec, ReplyStore replies, WaitingLimits limits) {
    this.spec = spec;
    this.replies = replies;
    this.limits = limits;
  }

  void fetch(HttpServerExchange exchange, String invocation) {
    Duration wait = WaitParameter.read(exchange, Duration.ZERO, spec.maxWait());
    if (wait == null) {
      return;
    }
    ReplyStore.Reply known = replies.get(invocation);
    if (known != null) {
      Responses.answer(exchange, invocation, known);
      return;
    }
    if (wait.isZero()) {
      noReply(exchange, invocation);
      return;
    }
    if (!limits.tryFetch()) {
      exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
      Responses.error(
          exchange,
          503,
          limits.maxFetches()
              + " fetches are already waiting for replies at this gateway"
              + " (limits.maxWaitingFetches); retry later, or fetch without ?wait=");
      return;
    }
    exchange.dispatch();
    CompletableFuture<ReplyStore.Reply> reply = replies.await(invocation);
    reply
        .orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (answer, error) -> {
              limits.fetchDone();
              if (answer != null) {
                Responses.answer(exchange, invocation, answer);
              } else {
                replies.forget(invocation, reply);
                noReply(exchange, invocation);
              }
            });
  }

  private void noReply(HttpServerExchange exchange, String invocation) {
    Responses.error(
        exchange,
        404,
        "no reply to invocation "
            + invocation
            + " yet: the function may still be working on it, or its reply is older than"
            + " idempotencyTtl ("
            + Durations.format(spec.idempotencyTtl())
            + "); add ?wait=30s to wait for it");
  }
}
