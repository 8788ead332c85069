package io.keyflow.dispatch;

import io.keyflow.delay.DelayedMessages;
import io.keyflow.io.Replies;
import io.keyflow.protocol.control.AddressReport;
import io.keyflow.protocol.control.ControlAnswer;
import io.keyflow.protocol.control.ControlRequest;
import io.keyflow.protocol.control.ControlRequest.Action;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.schedule.Schedules;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out what an operator asks of one address through the gateway's admin routes: inspect it,
 * pause and resume it, skip its in-flight request or oldest waiting message to the dead-letter
 * topic, cancel a delayed message it sent, delete its values.
 *
 * <p>A request reaches the dispatcher as an envelope with a {@link ControlRequest}, read from the
 * gateway's request topic and keyed by the address's id like any call, so it is handled once, in
 * order with the address's messages, by the subtask that owns the address, and its effects are in
 * the next checkpoint like any message's. The answer, a {@link ControlAnswer} with the address as
 * it is afterwards, goes to the caller through the gateway's reply egress. Every action is logged
 * at INFO with the address, the action and who asked, and counted ({@link ControlMetrics}).
 *
 * <p>Runs on the task thread.
 */
final class AddressControl {
  private static final Logger LOG = LoggerFactory.getLogger(AddressControl.class);

  /** What the dispatcher lends: its request machine. */
  interface Dispatcher {
    /** Sends a request of an address, as the dispatcher sends any. */
    void send(Pending p) throws Exception;

    /** Ends a request of an address and goes on with its backlog (unless it is paused). */
    void complete(Pending p) throws Exception;
  }

  private final RequestTracker tracker;
  private final RequestStore store;
  private final PausedAddresses paused;
  private final FunctionRegistry functions;
  private final DelayedMessages delayed;
  private final DeadLetters deadLetters;
  private final OutputTag<TypedValue> replies;
  private final ControlMetrics metrics;
  private final AddressInspector inspector;
  private final AddressSkips skips;
  private final RequestStore.Access keys;
  private final DeadLetters.Output output;
  private final LongSupplier clock;
  private final int subtask;
  private final Dispatcher dispatcher;
  private final Schedules schedules;

  AddressControl(
      RequestTracker tracker,
      RequestStore store,
      PausedAddresses paused,
      FunctionRegistry functions,
      DelayedMessages delayed,
      DeadLetters deadLetters,
      OutputTag<TypedValue> replies,
      ControlMetrics metrics,
      RequestStore.Access keys,
      DeadLetters.Output output,
      LongSupplier clock,
      int subtask,
      Dispatcher dispatcher,
      Schedules schedules) {
    this.tracker = tracker;
    this.store = store;
    this.paused = paused;
    this.functions = functions;
    this.delayed = delayed;
    this.deadLetters = deadLetters;
    this.replies = replies;
    this.metrics = metrics;
    this.keys = keys;
    this.output = output;
    this.clock = clock;
    this.subtask = subtask;
    this.dispatcher = dispatcher;
    this.schedules = schedules;
    this.inspector = new AddressInspector(tracker, store, paused, functions, delayed);
    this.skips = new AddressSkips(tracker, store, functions, deadLetters, output, dispatcher);
  }

  /**
   * Reads the paused addresses of restored state, and counts the messages waiting for those that
   * have no request outstanding (the others' are counted with their request). Changes the current
   * key.
   */
  void restore(KeyedStateBackend<String> backend) throws Exception {
    for (AddressKey key : paused.restore(backend)) {
      if (tracker.get(key) == null && functions.serves(key.function())) {
        keys.setCurrentKey(key.id());
        functions.get(key).metrics().backlogChanged(store.waiting(key).count());
      }
    }
  }

  /** Carries out the request {@code envelope} carries and answers it. */
  void handle(Envelope envelope) throws Exception {
    ControlRequest request = envelope.getControl();
    Address target = envelope.getTarget();
    if (Schedules.isScheduleAddress(target)) {
      schedule(envelope);
      return;
    }
    AddressKey key;
    try {
      key = AddressKey.of(target);
    } catch (IllegalArgumentException e) {
      refuse(envelope, null, "the address is malformed: " + e.getMessage());
      return;
    }
    if (!functions.serves(key.function())) {
      refuse(
          envelope,
          key,
          "no endpoint of the module serves function type "
              + key.function()
              + "; bound: "
              + functions.boundPatterns());
      return;
    }
    keys.setCurrentKey(key.id());
    ControlAnswer.Builder answer = ControlAnswer.newBuilder();
    String refusal =
        switch (request.getAction()) {
          case INSPECT -> null;
          case PAUSE -> pause(key, answer);
          case RESUME -> resume(key, answer);
          case SKIP -> skips.skip(key, request, answer);
          case CANCEL_DELAY -> cancelDelay(key, request.getCancellationToken(), answer);
          case DELETE_STATE -> deleteState(key, answer);
          default -> "unknown action " + request.getActionValue();
        };
    if (refusal != null) {
      refuse(envelope, key, refusal);
      return;
    }
    metrics.applied(request.getAction());
    if (request.getAction() == Action.INSPECT) {
      LOG.debug("Admin inspect of {} by {}", key, requestedBy(request));
    } else {
      LOG.info(
          "Admin {} of {} by {}: {}",
          action(request.getAction()),
          key,
          requestedBy(request),
          answer.getOutcome());
    }
    keys.setCurrentKey(key.id());
    answer.setAddress(inspector.inspect(key, clock.getAsLong(), subtask));
    reply(envelope, key, answer.build());
  }

  /**
   * Answers an inspection of {@code keyflow/schedules/<id>} with the schedule under that id; other
   * actions are refused, as schedules change through messages to that address.
   */
  private void schedule(Envelope envelope) throws Exception {
    Address target = envelope.getTarget();
    AddressKey key = new AddressKey(Schedules.ADDRESS, target.getId());
    if (envelope.getControl().getAction() != Action.INSPECT) {
      refuse(
          envelope,
          key,
          "a schedule is created, changed and deleted by messages to "
              + Schedules.ADDRESS
              + "/<id> (docs/schedules.md), or in module.yaml; the admin routes only inspect it");
      return;
    }
    metrics.applied(Action.INSPECT);
    keys.setCurrentKey(target.getId());
    AddressReport.Builder report =
        AddressReport.newBuilder()
            .setAddress(target)
            .setValuesKnown(true)
            .setAsOfMillis(clock.getAsLong())
            .setSubtask(subtask);
    Schedules.Inspected schedule = schedules.inspect();
    if (schedule != null) {
      report.setSchedule(ScheduleReports.of(schedule));
    }
    reply(envelope, key, ControlAnswer.newBuilder().setAddress(report).build());
  }

  private String pause(AddressKey key, ControlAnswer.Builder answer) throws Exception {
    boolean changed = paused.pause(key);
    answer
        .setChanged(changed)
        .setOutcome(
            changed
                ? "paused: new messages wait in the backlog until resumed"
                    + (tracker.get(key) != null ? "; the request in flight completes" : "")
                : "was paused already");
    return null;
  }

  private String resume(AddressKey key, ControlAnswer.Builder answer) throws Exception {
    boolean changed = paused.resume(key);
    if (!changed) {
      answer.setChanged(false).setOutcome("was not paused");
      return null;
    }
    int waiting = 0;
    if (tracker.get(key) == null) {
      RequestStore.Waiting backlog = store.waiting(key);
      waiting = backlog.count();
      if (waiting > 0) {
        FunctionRuntime function = functions.get(key);
        Pending from = new Pending(key, List.of());
        from.backlog = waiting;
        from.batchesFirst = backlog.batchesFirst();
        from.batchesEnd = backlog.batchesEnd();
        List<Invocation> batch = store.takeBatch(from, function.maxBatch());
        Pending next = tracker.start(key, batch);
        next.backlog = Math.max(0, waiting - batch.size());
        next.batchesFirst = from.batchesFirst;
        next.batchesEnd = from.batchesEnd;
        function.metrics().backlogChanged(-batch.size());
        dispatcher.send(next);
      }
    }
    answer
        .setChanged(true)
        .setOutcome(
            waiting > 0
                ? "resumed: the " + waiting + " waiting message(s) go out in order"
                : "resumed");
    return null;
  }

  private String cancelDelay(AddressKey key, String token, ControlAnswer.Builder answer)
      throws Exception {
    if (token.isEmpty()) {
      return "cancel-delay needs the cancellation token of the delayed message";
    }
    DelayedMessages.Pending found = delayed.find(token);
    if (found == null) {
      answer
          .setChanged(false)
          .setOutcome("no delayed message with token '" + token + "' is pending for this id");
      return null;
    }
    Address sender = found.message().getEnvelope().getCaller();
    if (!sender.equals(key.toAddress())) {
      return "the delayed message with token '"
          + token
          + "' was sent by "
          + AddressKey.of(sender)
          + ", not by "
          + key
          + "; cancel it through its sender";
    }
    Envelope cancelled = delayed.cancel(token);
    if (cancelled != null) {
      functions.get(key).metrics().delayedChanged(-1);
    }
    answer
        .setChanged(true)
        .setOutcome(
            "cancelled the delayed message '"
                + token
                + "' to "
                + AddressKey.of(found.message().getEnvelope().getTarget())
                + " due at "
                + java.time.Instant.ofEpochMilli(found.fireTime()));
    return null;
  }

  private String deleteState(AddressKey key, ControlAnswer.Builder answer) {
    if (!tracker.valuesKnown(key.function()) && !functions.get(key).values().known()) {
      return "the values of "
          + key.function()
          + " are not known on this subtask: the type has answered no call since the job started"
          + " and the restored checkpoint records none for it; retry once a message to "
          + key.function()
          + " has been handled";
    }
    if (tracker.get(key) != null) {
      return "a request is in flight for "
          + key
          + ", and its answer would write values computed before the delete; pause the address,"
          + " wait until inspect shows no request in flight (or skip it), then delete";
    }
    List<String> cleared = functions.get(key).values().clearAll();
    answer
        .setChanged(!cleared.isEmpty())
        .setOutcome(
            cleared.isEmpty()
                ? "the function declares no values"
                : "deleted the values " + String.join(", ", cleared));
    return null;
  }

  private void refuse(Envelope envelope, AddressKey key, String why) {
    metrics.refused.inc();
    LOG.info(
        "Admin {} of {} by {} refused: {}",
        action(envelope.getControl().getAction()),
        key == null ? envelope.getTarget() : key,
        requestedBy(envelope.getControl()),
        why);
    reply(envelope, key, ControlAnswer.newBuilder().setError(why).build());
  }

  private void reply(Envelope envelope, AddressKey key, ControlAnswer answer) {
    if (replies == null || !Replies.isReply(envelope.getCaller())) {
      LOG.warn(
          "Admin request for {} has no gateway caller to answer (module.yaml declares no gateway"
              + " reply egress); its outcome: {}",
          key,
          answer.getError().isEmpty() ? answer.getOutcome() : answer.getError());
      return;
    }
    output.collect(
        replies,
        Replies.record(
            envelope.getTarget(),
            envelope.getCaller(),
            TypedValue.newBuilder()
                .setTypename(Replies.CONTROL_ANSWER_TYPENAME)
                .setHasValue(true)
                .setValue(answer.toByteString())
                .build()));
  }

  static String deadLetterTopic(FunctionRuntime function) {
    return function.endpoint().failures().deadLetterEgress() == null
        ? " (none is configured, so it is logged in full)"
        : " " + function.endpoint().failures().deadLetterTopic();
  }

  static String requestedBy(ControlRequest request) {
    return request.getRequestedBy().isEmpty() ? "an unnamed caller" : request.getRequestedBy();
  }

  /** The action as the admin routes and the CLI name it. */
  static String action(Action action) {
    return switch (action) {
      case INSPECT -> "inspect";
      case PAUSE -> "pause";
      case RESUME -> "resume";
      case SKIP -> "skip";
      case CANCEL_DELAY -> "cancel-delay";
      case DELETE_STATE -> "delete-state";
      default -> "unknown action";
    };
  }
}
