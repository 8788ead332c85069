package io.keyflow.dispatch;

import io.keyflow.delay.DelayedMessages;
import io.keyflow.io.Replies;
import io.keyflow.module.FailurePolicy;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.FromFunction.DelayedInvocation;
import io.keyflow.protocol.reqreply.FromFunction.EgressMessage;
import io.keyflow.protocol.reqreply.FromFunction.InvocationResponse;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
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

    /** Delivers to an address of this subtask or sends the message round the feedback loop. */
    void route(Envelope message) throws Exception;

    long now();
  }

  private final ResponseTargets targets;
  private final FunctionRegistry functions;
  private final DelayedMessages delayed;
  private final DeadLetters deadLetters;
  private final Dispatcher dispatcher;
  private final Counter sentToFunctions;
  private final Counter toEgresses;
  private final Counter delayedScheduled;
  private final Counter cancellationsUnmatched;
  private final UnknownEgressRecords unknownEgress;

  ResponseEffects(
      ResponseTargets targets,
      FunctionRegistry functions,
      DelayedMessages delayed,
      DeadLetters deadLetters,
      MetricGroup metrics,
      Dispatcher dispatcher) {
    this.targets = targets;
    this.functions = functions;
    this.delayed = delayed;
    this.deadLetters = deadLetters;
    this.dispatcher = dispatcher;
    this.sentToFunctions = metrics.counter("keyflowMessagesToFunctions");
    this.toEgresses = metrics.counter("keyflowEgressRecords");
    this.delayedScheduled = metrics.counter("keyflowDelayedMessages");
    this.cancellationsUnmatched = metrics.counter("keyflowCancellationsUnmatched");
    this.unknownEgress =
        new UnknownEgressRecords(
            metrics.counter("keyflowUnknownEgressRecords"), targets.declaredEgresses());
  }

  /**
   * Applies a response: egress records and state first, then delayed messages (both under the
   * sender's key), then messages to other functions, whose delivery may switch the key.
   */
  void apply(Pending p, InvocationResponse result) throws Exception {
    List<Envelope> messages = new ArrayList<>(result.getOutgoingMessagesCount());
    for (FromFunction.Invocation message : result.getOutgoingMessagesList()) {
      OutputTag<TypedValue> reply = targets.replyOrNull(message.getTarget());
      if (reply != null) {
        dispatcher.emit(
            reply, Replies.record(p.key.toAddress(), message.getTarget(), message.getArgument()));
        toEgresses.inc();
        continue;
      }
      try {
        messages.add(
            targets.message(p.key, message.getTarget(), message.getArgument(), "a message"));
      } catch (DispatchException e) {
        undeliverable(p.key, message.getTarget(), message.getArgument(), e);
      }
    }
    for (EgressMessage egress : result.getOutgoingEgressesList()) {
      OutputTag<TypedValue> tag = targets.egressOrNull(egress);
      if (tag == null) {
        unknownEgress.skip(p.key, egress);
      } else {
        dispatcher.emit(tag, egress.getArgument());
        toEgresses.inc();
      }
    }
    functions.get(p.key).values().apply(p.key.id(), result.getStateMutationsList());
    for (DelayedInvocation delayedInvocation : result.getDelayedInvocationsList()) {
      applyDelayed(p.key, delayedInvocation);
    }
    for (Envelope message : messages) {
      sentToFunctions.inc();
      dispatcher.route(message);
    }
  }

  /** Writes a batch the dispatcher gave up on as a dead letter. */
  void deadLetter(Pending p, FailurePolicy policy, FunctionRuntime function, Throwable cause) {
    deadLetters.write(p, policy, function.url().toString(), cause, dispatcher::emit);
  }

  private void applyDelayed(AddressKey sender, DelayedInvocation invocation) throws Exception {
    String token = invocation.getCancellationToken();
    if (invocation.getIsCancellationRequest()) {
      if (token.isEmpty() || !delayed.cancel(token)) {
        cancellationsUnmatched.inc();
        LOG.debug("{} cancelled delayed message '{}', which is not pending", sender, token);
      }
      return;
    }
    Envelope envelope;
    try {
      envelope =
          targets.message(
              sender, invocation.getTarget(), invocation.getArgument(), "a delayed message");
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
    delayedScheduled.inc();
    if (delayed.schedule(envelope, dispatcher.now() + delay, token)) {
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
  }
}
