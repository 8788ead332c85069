package io.keyflow.io.gateway;

import io.keyflow.module.Durations;
import io.undertow.server.HttpServerExchange;
import java.time.Duration;
import java.util.Deque;

/** The {@code ?wait=} of a call or a fetch: how long it may wait for the reply. */
final class WaitParameter {
  private WaitParameter() {}

  /** The asked-for wait, or {@code dflt}; null after answering 400 (bad, or above maxWait). */
  static Duration read(HttpServerExchange exchange, Duration dflt, Duration maxWait) {
    Deque<String> values = exchange.getQueryParameters().get("wait");
    if (values == null || values.isEmpty()) {
      return dflt;
    }
    Duration wait = Durations.parse(values.getFirst());
    if (wait == null) {
      Responses.error(exchange, 400, "wait=" + values.getFirst() + " is not " + Durations.EXPECTED);
      return null;
    }
    if (wait.compareTo(maxWait) > 0) {
      Responses.error(
          exchange,
          400,
          "wait="
              + values.getFirst()
              + " is longer than timeouts.maxWait ("
              + Durations.format(maxWait)
              + ")");
      return null;
    }
    return wait;
  }
}
