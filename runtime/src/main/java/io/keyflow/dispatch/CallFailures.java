package io.keyflow.dispatch;

import io.keyflow.module.FailurePolicy;
import io.keyflow.module.HttpEndpoint;
import io.keyflow.remote.RemoteInvocationException;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a call that failed after the client's own retries means, by what the endpoint did
 * for everybody else meanwhile:
 *
 * <ul>
 *   <li><b>Outage.</b> Transient errors only (refused, reset, timed out, 5xx) and no call to the
 *       same endpoint succeeded since this one was sent: the endpoint is down, not the message bad.
 *       The request is held and retried until the endpoint answers; nothing counts against it.
 *   <li><b>This address's failure.</b> Some call to the endpoint succeeded after this one was sent,
 *       whatever this one met (an error status, a timeout, a connection the function dropped), or
 *       the call was rejected outright (a 4xx, a body that is no StateFun response): the attempt
 *       counts against the batch, which after {@link FailurePolicy#maxAttempts()} calls goes to the
 *       endpoint's policy, so a function that hangs for one message cannot hold its address, or its
 *       subtask, forever.
 *   <li><b>Misconfiguration.</b> A TLS failure no retry can fix (the server's certificate does not
 *       name the host, is not trusted, is expired; the server refuses Keyflow's certificate): held
 *       like an outage, whatever else the endpoint served, so no message is lost or dead-lettered
 *       for it, but logged as an error naming the fix, repeated while it lasts.
 * </ul>
 */
final class CallFailures {
  private static final Logger LOG = LoggerFactory.getLogger(CallFailures.class);

  /** What the dispatcher does with a request once its failure is judged. */
  interface Outcomes {
    void send(Pending p) throws Exception;

    void sendLater(Pending p, Duration delay);

    void giveUp(Pending p, FailurePolicy policy, FunctionRuntime function, Throwable cause)
        throws Exception;
  }

  private final RequestTracker tracker;
  private final DispatcherMetrics metrics;
  private final Outcomes outcomes;
  // Keyed by identity: every response looks its endpoint up, and a record's hashCode would walk
  // the whole endpoint (transport, failure policy, headers) each time.
  private final Map<HttpEndpoint, EndpointHealth> health = new IdentityHashMap<>();

  CallFailures(RequestTracker tracker, DispatcherMetrics metrics, Outcomes outcomes) {
    this.tracker = tracker;
    this.metrics = metrics;
    this.outcomes = outcomes;
  }

  void succeeded(FunctionRuntime function) {
    health(function).succeeded(System.nanoTime());
  }

  /** Whether this subtask considers {@code endpoint} down. */
  boolean isDown(HttpEndpoint endpoint) {
    EndpointHealth known = health.get(endpoint);
    return known != null && known.isDown();
  }

  /** Endpoints this subtask considers down. */
  long endpointsDown() {
    return health.values().stream().filter(EndpointHealth::isDown).count();
  }

  void failed(Pending p, FunctionRuntime function, Throwable error) throws Exception {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    FailurePolicy policy = function.endpoint().failures();
    p.lastError = String.valueOf(cause.getMessage());
    metrics.failedCalls.inc();
    function.metrics().failed();
    if (policy.mode() == FailurePolicy.Mode.FAIL) {
      throw DispatchException.invocationFailed(p, cause);
    }
    Pending newProbe = tracker.probeFailed(p);
    if (newProbe != null) {
      outcomes.send(newProbe);
    }
    EndpointHealth endpoint = health(function);
    if (cause instanceof RemoteInvocationException remote && remote.configurationError()) {
      outcomes.sendLater(p, endpoint.misconfigured(System.nanoTime(), cause, tracker.size()));
      return;
    }
    boolean served = endpoint.servedSince(p.sentAtNanos);
    if (!served && cause instanceof RemoteInvocationException remote && remote.transientFailure()) {
      if (!p.held) {
        p.held = true;
        function.metrics().heldChanged(1);
      }
      outcomes.sendLater(p, endpoint.held(System.nanoTime(), cause, tracker.size()));
      return;
    }
    p.failedAttempts++;
    if (p.failedAttempts < policy.maxAttempts()) {
      Duration delay = Duration.ofSeconds(1L << Math.min(p.failedAttempts - 1, 5));
      LOG.warn(
          "Call {} for {} ({} message(s)) failed while its endpoint serves other addresses (or"
              + " was rejected); retrying in {} s, giving up after {} calls: {}",
          p.failedAttempts,
          p.key,
          p.invocations.size(),
          delay.toSeconds(),
          policy.maxAttempts(),
          cause.getMessage());
      outcomes.sendLater(p, delay);
      return;
    }
    outcomes.giveUp(p, policy, function, cause);
  }

  private EndpointHealth health(FunctionRuntime function) {
    return health.computeIfAbsent(
        function.endpoint(),
        e -> {
          EndpointHealth endpoint = new EndpointHealth(e.urlPathTemplate());
          metrics.endpoint(e.urlPathTemplate(), endpoint::isDown);
          return endpoint;
        });
  }
}
