package io.keyflow.dispatch;

import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueSpec;
import io.keyflow.state.StateSpecException;
import io.keyflow.tracing.DispatchTracing;
import java.util.List;

/**
 * Applies a function's answer to the request it belongs to. A handshake answer (the function lacks
 * values it declares) registers those values and sends the request again; a result is checked as a
 * whole, then its effects are applied and the address goes on with its backlog. Either way, the
 * function type's values are known from then on, and the requests parked behind its first call go
 * out.
 *
 * <p>Runs on the task thread, for a request that is still its address's current one.
 */
final class AnswerApplier {
  private final DispatcherOperator dispatcher;
  private final RequestTracker tracker;
  private final CallFailures failures;
  private final ResponseEffects effects;

  /** Null when tracing is off. */
  private final DispatchTracing tracing;

  AnswerApplier(
      DispatcherOperator dispatcher,
      RequestTracker tracker,
      CallFailures failures,
      ResponseEffects effects,
      DispatchTracing tracing) {
    this.dispatcher = dispatcher;
    this.tracker = tracker;
    this.failures = failures;
    this.effects = effects;
    this.tracing = tracing;
  }

  void answered(Pending p, FunctionRuntime function, FromFunction response, long answeredAtNanos)
      throws Exception {
    failures.succeeded(function);
    function.values().confirm();
    function.metrics().succeeded(answeredAtNanos - p.sentAtNanos);
    dispatcher.setCurrentKey(p.key.id());
    if (response.hasIncompleteInvocationContext()) {
      List<PersistedValueSpec> missing =
          response.getIncompleteInvocationContext().getMissingValuesList();
      if (!p.probe && function.values().registered(missing)) {
        throw DispatchException.handshakeLoop(
            p.key, missing.stream().map(PersistedValueSpec::getStateName).toList());
      }
      function.values().register(missing);
      List<Pending> released = tracker.probeAnswered(p);
      dispatcher.send(p);
      sendAll(released);
      return;
    }
    try {
      function.values().check(p.key.id(), response.getInvocationResult().getStateMutationsList());
    } catch (StateSpecException e) {
      // Nothing of a bad response is applied; it counts as a failed call of this batch.
      failures.failed(p, function, e);
      return;
    }
    try {
      effects.apply(
          p,
          response.getInvocationResult(),
          p.trace == null ? null : tracing.applying(p.trace, p.key.function().toString()));
      if (p.trace != null) {
        tracing.applied(p.trace);
      }
    } catch (DispatchException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DispatchException.responseFailed(p, e);
    }
    List<Pending> released = tracker.probeAnswered(p);
    dispatcher.complete(p);
    sendAll(released);
  }

  private void sendAll(List<Pending> released) throws Exception {
    for (Pending p : released) {
      dispatcher.send(p);
    }
  }
}
