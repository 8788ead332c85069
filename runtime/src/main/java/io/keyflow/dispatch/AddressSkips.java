package io.keyflow.dispatch;

import io.keyflow.protocol.control.ControlAnswer;
import io.keyflow.protocol.control.ControlRequest;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import java.util.List;

/**
 * Skips a message of one address to its endpoint's dead-letter topic, for {@link AddressControl}.
 *
 * <p>Which message: without {@code oldest_waiting}, the request in flight if there is one (all its
 * messages), else the oldest waiting message; with it, the oldest waiting message even while a
 * request is in flight, which then goes on untouched. Either way the skip happens on the task
 * thread between the address's messages, so it never races the call's answer, and it is in the next
 * checkpoint like a message.
 *
 * <p>Runs on the task thread with the address's key current.
 */
final class AddressSkips {
  private final RequestTracker tracker;
  private final RequestStore store;
  private final FunctionRegistry functions;
  private final DeadLetters deadLetters;
  private final DeadLetters.Output output;
  private final AddressControl.Dispatcher dispatcher;

  AddressSkips(
      RequestTracker tracker,
      RequestStore store,
      FunctionRegistry functions,
      DeadLetters deadLetters,
      DeadLetters.Output output,
      AddressControl.Dispatcher dispatcher) {
    this.tracker = tracker;
    this.store = store;
    this.functions = functions;
    this.deadLetters = deadLetters;
    this.output = output;
    this.dispatcher = dispatcher;
  }

  String skip(AddressKey key, ControlRequest request, ControlAnswer.Builder answer)
      throws Exception {
    FunctionRuntime function = functions.get(key);
    String reason = "skipped by an operator (" + AddressControl.requestedBy(request) + ")";
    Pending p = tracker.get(key);
    if (request.getOldestWaiting()) {
      return skipOldestWaiting(key, p, function, reason, answer);
    }
    if (p != null) {
      p.skipped = true;
      Pending newProbe = tracker.probeFailed(p);
      if (p.held) {
        p.held = false;
        function.metrics().heldChanged(-1);
      }
      deadLetters.write(
          key.toAddress(),
          p.invocations,
          p.calls,
          reason,
          function.endpoint().failures(),
          function.url().toString(),
          output);
      function.metrics().deadLettered();
      dispatcher.complete(p);
      if (newProbe != null) {
        dispatcher.send(newProbe);
      }
      answer
          .setChanged(true)
          .setOutcome(
              "skipped the request in flight ("
                  + p.invocations.size()
                  + " message(s)) to the dead-letter topic"
                  + AddressControl.deadLetterTopic(function));
      return null;
    }
    return skipOldestWaiting(key, null, function, reason, answer);
  }

  /**
   * Skips the oldest waiting message of {@code key}, whose request in flight (if any) is {@code p}
   * and goes on untouched: that request's messages are not waiting, and the batch that follows it
   * is taken from state after this, on the same task thread.
   */
  private String skipOldestWaiting(
      AddressKey key,
      Pending p,
      FunctionRuntime function,
      String reason,
      ControlAnswer.Builder answer)
      throws Exception {
    Invocation oldest = store.takeOldest(key, p);
    if (oldest == null) {
      answer
          .setChanged(false)
          .setOutcome(
              p == null
                  ? "nothing to skip: no request in flight, none waiting"
                  : "nothing to skip: no message waits behind the request in flight");
      return null;
    }
    function.metrics().backlogChanged(-1);
    deadLetters.write(
        key.toAddress(),
        List.of(oldest),
        0,
        reason,
        function.endpoint().failures(),
        function.url().toString(),
        output);
    function.metrics().deadLettered();
    answer
        .setChanged(true)
        .setOutcome(
            "skipped the oldest waiting message to the dead-letter topic"
                + AddressControl.deadLetterTopic(function)
                + (p == null ? "" : "; the request in flight goes on"));
    return null;
  }
}
