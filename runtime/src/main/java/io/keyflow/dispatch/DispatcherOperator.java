package io.keyflow.dispatch;

import io.keyflow.delay.DelayedMessages;
import io.keyflow.feedback.FeedbackLogHost;
import io.keyflow.module.FailurePolicy;
import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.ToFunction.InvocationBatchRequest;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.schedule.Schedules;
import io.keyflow.tracing.BatchTrace;
import io.keyflow.tracing.DispatchTracing;
import io.keyflow.tracing.TracingSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers messages to remote functions, one keyed subtask of them.
 *
 * <p>Per address (function type + id) at most one request is outstanding; messages arriving
 * meanwhile wait in a keyed backlog and go out in batches of at most {@code maxNumBatchRequests}
 * when it completes. One address never stops the input: its backlog grows in keyed state however
 * long its function takes. Input pauses only while too many addresses have a request outstanding, a
 * bound that protects the whole subtask's memory. An endpoint's {@code maxConcurrentRequests} caps
 * its calls on the wire; addresses over the cap wait with their backlogs ({@link EndpointSlots}).
 *
 * <p><b>Recovery.</b> Outstanding requests live in memory; each checkpoint copies the ones it has
 * not seen yet into keyed state ({@link RequestStore}), and completion removes them. A restore
 * therefore finds every request whose response was not applied before the checkpoint, and re-sends
 * it with the restored values: functions may see an invocation twice, its effects are applied once.
 *
 * <p><b>Threading.</b> Every method runs on the task thread; HTTP completions are handed to it
 * through the mailbox.
 */
public final class DispatcherOperator extends AbstractStreamOperator<Envelope>
    implements OneInputStreamOperator<Envelope, Envelope>,
        Triggerable<String, VoidNamespace>,
        CallFailures.Outcomes,
        AddressControl.Dispatcher {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DispatcherOperator.class);

  private final Module module;
  private final Map<TypeName, OutputTag<TypedValue>> egresses;
  private final TracingSettings tracingSettings;
  private final transient MailboxExecutor mailbox;
  private final transient RequestTracker tracker;
  private final transient ResponseHandOff responses;
  private final transient EndpointSlots slots = new EndpointSlots();

  private transient RequestStore store;
  private transient FunctionRegistry functions;
  private transient ResponseTargets targets;
  private transient boolean closed;
  private transient DispatcherMetrics metrics;
  private transient ResponseEffects effects;
  private transient CallFailures failures;
  private transient DelayedMessages delayed;
  private transient Schedules schedules;
  private transient ListStateDescriptor<io.keyflow.protocol.internal.DelayedEnvelope>
      delayedDescriptor;
  private transient RequestStore.Access keyed;
  private transient PausedAddresses paused;
  private transient AddressControl control;
  private transient AnswerApplier answers;
  private transient int subtask;
  private transient int parallelism;
  private transient int maxParallelism;

  /** Null when tracing is off. */
  private transient DispatchTracing tracing;

  DispatcherOperator(
      StreamOperatorParameters<Envelope> parameters,
      Module module,
      Map<TypeName, OutputTag<TypedValue>> egresses,
      int maxInFlight,
      TracingSettings tracingSettings) {
    super(parameters);
    this.module = module;
    this.egresses = egresses;
    this.tracingSettings = tracingSettings;
    this.mailbox = parameters.getMailboxExecutor();
    this.tracker = new RequestTracker(maxInFlight);
    this.responses = new ResponseHandOff(mailbox, this::onResponse);
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    keyed = DispatcherStates.keyed(this);
    store = new RequestStore(keyed);
    paused = new PausedAddresses(keyed);
    functions =
        DispatcherStates.functions(
            this,
            module,
            endpoint -> () -> failures != null && failures.isDown(endpoint),
            LearnedValueSpecs.restore(context.getOperatorStateStore()));
    targets = new ResponseTargets(functions, egresses);
    delayedDescriptor = DelayedMessages.messagesDescriptor();
    FeedbackLogHost.restore(this, context);
  }

  /** The raw keyed state holds the feedback loop's log, which the head writes. */
  @Override
  protected boolean isUsingCustomRawKeyedState() {
    return true;
  }

  @Override
  public void open() throws Exception {
    super.open();
    metrics =
        new DispatcherMetrics(
            getMetricGroup(), tracker::size, () -> failures == null ? 0 : failures.endpointsDown());
    failures = new CallFailures(tracker, metrics, this);
    tracing = DispatchTracing.open(tracingSettings, getMetricGroup());
    subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
    delayed = DispatcherStates.delayed(this, delayedDescriptor);
    DeadLetters deadLetters =
        new DeadLetters(egresses, DeadLetters.recordLimits(module), metrics.deadLetters);
    effects =
        new ResponseEffects(
            targets,
            functions,
            delayed,
            deadLetters,
            metrics,
            DispatcherStates.effectsOutput(
                (egress, record) -> output.collect(egress, new StreamRecord<>(record)),
                this::route,
                () -> getProcessingTimeService().getCurrentProcessingTime()));
    schedules = DispatcherSchedules.start(this, module, functions, this::route);
    control =
        new AddressControl(
            tracker,
            store,
            paused,
            functions,
            delayed,
            deadLetters,
            egresses.get(io.keyflow.io.Replies.EGRESS),
            new ControlMetrics(getMetricGroup()),
            keyed,
            (egress, record) -> output.collect(egress, new StreamRecord<>(record)),
            () -> getProcessingTimeService().getCurrentProcessingTime(),
            subtask,
            this,
            schedules);
    answers = new AnswerApplier(this, tracker, failures, effects, tracing);
    control.restore(this.<String>getKeyedStateBackend());
    sendAll(DispatcherRestore.requests(this, store, tracker, functions));
    DispatcherRestore.delays(this, delayed, delayedDescriptor, functions);
  }

  @Override
  public void processElement(StreamRecord<Envelope> record) throws Exception {
    if (record.getValue().hasControl()) {
      control.handle(record.getValue());
    } else {
      deliver(record.getValue());
    }
    while (tracker.mustWait()) {
      mailbox.yield();
    }
  }

  /**
   * Hands a message to its address on this subtask: starts a request if the address is idle,
   * otherwise adds it to the backlog; a message to a schedule goes to the schedules. Sets the
   * current key to the target.
   */
  private void deliver(Envelope envelope) throws Exception {
    if (Schedules.isScheduleAddress(envelope.getTarget())) {
      schedules.control(envelope);
      return;
    }
    AddressKey key = AddressKey.of(envelope.getTarget());
    setCurrentKey(key.id());
    FunctionRuntime function = function(key);
    Invocation.Builder invocation = Invocation.newBuilder().setArgument(envelope.getPayload());
    if (envelope.hasCaller()) {
      invocation.setCaller(envelope.getCaller());
    }
    metrics.invocations.inc();
    function.metrics().received();
    Pending busy = tracker.get(key);
    if (busy == null && !paused.isPaused(key)) {
      Pending p = tracker.start(key, List.of(invocation.build()));
      if (tracing != null) {
        p.trace = tracing.received(envelope);
      }
      send(p);
    } else {
      store.appendToBacklog(
          key,
          tracing == null ? invocation.build() : tracing.backlogged(envelope, invocation.build()));
      if (busy != null) {
        tracker.backlogged(busy);
      }
      function.metrics().backlogChanged(1);
    }
  }

  /**
   * Sends a message to its address: directly if this subtask owns it, else round the loop.
   *
   * @return whether this subtask owns it
   */
  private boolean route(Envelope envelope) throws Exception {
    int owner =
        KeyGroupRangeAssignment.assignKeyToParallelOperator(
            envelope.getTarget().getId(), maxParallelism, parallelism);
    if (owner == subtask) {
      deliver(envelope);
      return true;
    }
    output.collect(new StreamRecord<>(envelope));
    return false;
  }

  @Override
  public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
    List<Envelope> due = delayed.due(timer.getTimestamp());
    for (Envelope envelope : due) {
      effects.delayedGone(envelope);
      route(envelope);
    }
  }

  @Override
  public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    FeedbackLogHost.snapshot(this, context);
    functions.snapshotValueSpecs();
    for (Pending p : tracker.all()) {
      if (!p.persisted) {
        setCurrentKey(p.key.id());
        store.saveInflight(p.key, p.invocations);
        p.persisted = true;
      }
    }
  }

  /** Whether no address has a request outstanding. */
  boolean idle() {
    return tracker.isEmpty();
  }

  @Override
  public void finish() throws Exception {
    while (!idle()) {
      mailbox.yield();
    }
    super.finish();
  }

  @Override
  public void close() throws Exception {
    closed = true;
    if (functions != null) {
      functions.close();
    }
    if (tracing != null) {
      tracing.close();
      tracing = null;
    }
    super.close();
  }

  @Override
  public void send(Pending p) throws Exception {
    if (p.skipped) {
      return;
    }
    FunctionRuntime function = function(p.key);
    if (tracker.park(p) || !slots.acquire(p, function.endpoint())) {
      blocked(p, true);
      return;
    }
    blocked(p, false);
    if (p.held) {
      p.held = false;
      function.metrics().heldChanged(-1);
    }
    setCurrentKey(p.key.id());
    ToFunction request =
        ToFunction.newBuilder()
            .setInvocation(
                InvocationBatchRequest.newBuilder()
                    .setTarget(p.key.toAddress())
                    .addAllState(function.values().read())
                    .addAllInvocations(p.invocations))
            .build();
    metrics.requests.inc();
    metrics.inflight.inc();
    function.metrics().called(p.invocations.size());
    p.sentAtNanos = System.nanoTime();
    p.calls++;
    function
        .client()
        .invoke(
            function.url(),
            request,
            p.trace == null
                ? null
                : tracing.calling(
                    p.trace, p.key.function().toString(), p.key.id(), p.invocations.size()))
        .whenComplete((response, error) -> responses.arrive(p, response, error));
  }

  private void onResponse(Pending p, FromFunction response, Throwable error) throws Exception {
    long answeredAtNanos = System.nanoTime();
    metrics.inflight.dec();
    function(p.key).metrics().answered();
    // Only capped endpoints hand out slots; the common case skips the lookup.
    Pending waitedForSlot = p.holdsSlot ? slots.release(p, function(p.key).endpoint()) : null;
    if (closed) {
      return;
    }
    if (p.trace != null) {
      tracing.answered(p.trace, error);
    }
    if (waitedForSlot != null) {
      send(waitedForSlot);
    }
    if (tracker.get(p.key) != p) {
      return;
    }
    if (error != null) {
      failures.failed(p, function(p.key), error);
      return;
    }
    answers.answered(p, function(p.key), response, answeredAtNanos);
  }

  @Override
  public void complete(Pending p) throws Exception {
    setCurrentKey(p.key.id());
    blocked(p, false);
    if (p.persisted) {
      store.clearInflight(p.key);
    }
    if (tracker.completed(p)) {
      if (paused.isPaused(p.key)) {
        tracker.pause(p);
        return;
      }
      FunctionRuntime function = function(p.key);
      List<Invocation> batch = store.takeBatch(p, function.maxBatch());
      function.metrics().backlogChanged(-batch.size());
      BatchTrace trace = tracing == null ? null : tracing.fromBacklog(batch);
      Pending next = tracker.next(p, trace == null ? batch : trace.invocations());
      next.trace = trace;
      send(next);
    }
  }

  /** Counts {@code p}'s address as blocked or not in its function type's metrics. */
  private void blocked(Pending p, boolean blocked) {
    if (p.blocked != blocked) {
      p.blocked = blocked;
      function(p.key).metrics().blockedChanged(blocked ? 1 : -1);
    }
  }

  /** Sends {@code p} again after {@code delay}, unless the task closed or restarted meanwhile. */
  @Override
  public void sendLater(Pending p, Duration delay) {
    blocked(p, true);
    ProcessingTimeService time = getProcessingTimeService();
    time.registerTimer(
        time.getCurrentProcessingTime() + delay.toMillis(),
        timestamp -> {
          if (!closed && tracker.get(p.key) == p) {
            send(p);
          }
        });
  }

  /** Writes the batch as a dead letter and goes on with the address's next messages. */
  @Override
  public void giveUp(Pending p, FailurePolicy policy, FunctionRuntime function, Throwable cause)
      throws Exception {
    setCurrentKey(p.key.id());
    effects.deadLetter(p, policy, function, cause);
    complete(p);
  }

  private void sendAll(List<Pending> released) throws Exception {
    for (Pending p : released) {
      send(p);
    }
  }

  private FunctionRuntime function(AddressKey key) {
    return functions.get(key);
  }
}
