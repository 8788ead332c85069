package io.keyflow.dispatch;

import io.keyflow.delay.DelayedMessages;
import io.keyflow.io.Replies;
import io.keyflow.module.FailurePolicy;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.TraceContext;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.FromFunction.DelayedInvocation;
import io.keyflow.protocol.reqreply.FromFunction.EgressMessage;
import io.keyflow.protocol.reqreply.FromFunction.InvocationResponse;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.tracing.TraceFields;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what a function returned for one batch: gateway replies, egress records, state mutations,
 * delayed messages and cancellations, and messages to other functions. Messages that cannot be
 * delivered (no endpoint serves their type) become dead letters under the sender's policy.
 *
 * <p>Runs on the task thread, with the sender's key current until messages are routed.
 */
final class ResponseEffects {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseEffects.class);

  /** What the dispatcher lends: its outputs, its routing and its clock. */
  interface Dispatcher {
    void emit(OutputTag<TypedValue> egress, TypedValue record);

    /**
     * Delivers to an address of this subtask or sends the message round the feedback loop.
     *
     * @return whether the address is this subtask's
     */
    boolean route(Envelope message) throws Exception;

    long now();
  }

  private final ResponseTargets targets;
  private final FunctionRegistry functions;
  private final DelayedMessages delayed;
  private final DeadLetters deadLetters;
  private final Dispatcher dispatcher;
  private final DispatcherMetrics metrics;
  private final UnknownEgressRecords unknownEgress;

  ResponseEffects(
      ResponseTargets targets,
      FunctionRegistry functions,
      DelayedMessages delayed,
      DeadLetters deadLetters,
      DispatcherMetrics metrics,
      Dispatcher dispatcher) {
    this.targets = targets;
    this.functions = functions;
    this.delayed = delayed;
    this.deadLetters = deadLetters;
    this.dispatcher = dispatcher;
    this.metrics = metrics;
    this.unknownEgress =
        new UnknownEgressRecords(metrics.unknownEgressRecords, targets.declaredEgresses());
  }

  /**
   * Applies a response: egress records and state first, then delayed messages (both under the
   * sender's key), then messages to other functions, whose delivery may switch the key.
   *
   * @param trace the trace context that messages, delayed messages and egress records carry on;
   *     null for none
   */
  void apply(Pending p, InvocationResponse result, TraceContext trace) throws Exception {
    FunctionTypeMetrics sender = functions.get(p.key).metrics();
    List<Envelope> messages = new ArrayList<>(result.getOutgoingMessagesCount());
    for (FromFunction.Invocation message : result.getOutgoingMessagesList()) {
      OutputTag<TypedValue> reply = targets.replyOrNull(message.getTarget());
      if (reply != null) {
        dispatcher.emit(
            reply, Replies.record(p.key.toAddress(), message.getTarget(), message.getArgument()));
        metrics.egressRecords.inc();
        sender.sentToEgress();
        continue;
      }
      try {
        messages.add(
            targets.message(p.key, message.getTarget(), message.getArgument(), "a message", trace));
      } catch (DispatchException e) {
        undeliverable(p.key, message.getTarget(), message.getArgument(), e);
      }
    }
    for (EgressMessage egress : result.getOutgoingEgressesList()) {
      OutputTag<TypedValue> tag = targets.egressOrNull(egress);
      if (tag == null) {
        unknownEgress.skip(p.key, egress);
      } else {
        dispatcher.emit(
            tag,
            trace == null ? egress.getArgument() : TraceFields.stamp(egress.getArgument(), trace));
        metrics.egressRecords.inc();
        sender.sentToEgress();
      }
    }
    functions.get(p.key).values().apply(p.key.id(), result.getStateMutationsList());
    for (DelayedInvocation delayedInvocation : result.getDelayedInvocationsList()) {
      applyDelayed(p.key, delayedInvocation, trace);
    }
    for (Envelope message : messages) {
      metrics.messagesToFunctions.inc();
      sender.sent(dispatcher.route(message));
    }
  }

  /** Writes a batch the dispatcher gave up on as a dead letter. */
  void deadLetter(Pending p, FailurePolicy policy, FunctionRuntime function, Throwable cause) {
    deadLetters.write(p, policy, function.url().toString(), cause, dispatcher::emit);
    function.metrics().deadLettered();
  }

  /** A delayed message that was pending is gone (delivered, cancelled or replaced). */
  void delayedGone(Envelope message) {
    if (message != null) {
      functions.get(AddressKey.of(message.getCaller())).metrics().delayedChanged(-1);
    }
  }

  private void applyDelayed(AddressKey sender, DelayedInvocation invocation, TraceContext trace)
      throws Exception {
    String token = invocation.getCancellationToken();
    if (invocation.getIsCancellationRequest()) {
      Envelope cancelled = token.isEmpty() ? null : delayed.cancel(token);
      delayedGone(cancelled);
      if (cancelled == null) {
        metrics.cancellationsUnmatched.inc();
        LOG.debug("{} cancelled delayed message '{}', which is not pending", sender, token);
      }
      return;
    }
    Envelope envelope;
    try {
      envelope =
          targets.message(
              sender, invocation.getTarget(), invocation.getArgument(), "a delayed message", trace);
    } catch (DispatchException e) {
      undeliverable(sender, invocation.getTarget(), invocation.getArgument(), e);
      return;
    }
    long delay = invocation.getDelayInMs();
    if (delay < 0) {
      LOG.warn(
          "{} sent a delayed message with negative delay {} ms; delivering it now", sender, delay);
      delay = 0;
    }
    metrics.delayedMessages.inc();
    functions.get(sender).metrics().delayedChanged(1);
    Envelope replaced = delayed.schedule(envelope, dispatcher.now() + delay, token);
    if (replaced != null) {
      delayedGone(replaced);
      LOG.debug("{} replaced the pending delayed message '{}'", sender, token);
    }
  }

  /**
   * A message the sender's function addressed to a function type no endpoint serves (or to a
   * malformed address): dead-lettered under the sender's failure policy, which with {@code fail}
   * fails the job instead.
   */
  private void undeliverable(
      AddressKey sender, Address target, TypedValue argument, DispatchException problem) {
    FunctionRuntime function = functions.get(sender);
    FailurePolicy policy = function.endpoint().failures();
    if (policy.mode() == FailurePolicy.Mode.FAIL) {
      throw problem;
    }
    deadLetters.write(
        target,
        List.of(
            Invocation.newBuilder().setCaller(sender.toAddress()).setArgument(argument).build()),
        0,
        problem.getMessage(),
        policy,
        function.url().toString(),
        dispatcher::emit);
    function.metrics().deadLettered();
  }
}
