package io.keyflow.dispatch;

import io.keyflow.metrics.RecentValuesHistogram;
import io.keyflow.module.TypeName;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * The metrics of one function type on one dispatcher subtask, and the one place that names them.
 *
 * <p>They live where StateFun put its per-function metrics, in the groups {@code functions}, {@code
 * <namespace>}, {@code <type>} below the dispatcher operator, under StateFun's names where StateFun
 * had the metric, so dashboards built for StateFun keep working: in Prometheus {@code
 * flink_taskmanager_job_task_operator_functions_<namespace>_<type>_inRate}, in the REST API {@code
 * <operator>.functions.<namespace>.<type>.inRate}. Keyflow's own are prefixed {@code keyflow}.
 *
 * <p>Updated on the task thread only; metric reporters read on theirs. Counters and histograms are
 * single-writer and lock-free (see {@link RecentValuesHistogram}): the hot path pays a few plain
 * increments per message.
 */
final class FunctionTypeMetrics {
  static final String GROUP = "functions";

  // StateFun's names.
  static final String IN = "in";
  static final String OUT_LOCAL = "outLocal";
  static final String OUT_REMOTE = "outRemote";
  static final String OUT_EGRESS = "outEgress";
  static final String INFLIGHT_ASYNC_OPS = "inflightAsyncOps";
  static final String BACKLOG = "numBacklog";
  static final String BLOCKED_ADDRESSES = "numBlockedAddress";
  static final String FAILURES = "remoteInvocationFailures";
  static final String LATENCY = "remoteInvocationLatency";

  /** StateFun's suffix for the per-second rate (over the last minute) of a counter. */
  static final String RATE = "Rate";

  // Keyflow's own.
  static final String DEAD_LETTERS = "keyflowDeadLetters";
  static final String HELD_CALLS = "keyflowHeldCalls";
  static final String DELAYED_PENDING = "keyflowDelayedPending";
  static final String ENDPOINT_DOWN = "keyflowEndpointDown";
  static final String BATCH_SIZE = "keyflowBatchSize";

  /** Every name registered per function type, for docs and tests. */
  static final List<String> NAMES =
      List.of(
          IN,
          IN + RATE,
          OUT_LOCAL,
          OUT_LOCAL + RATE,
          OUT_REMOTE,
          OUT_REMOTE + RATE,
          OUT_EGRESS,
          OUT_EGRESS + RATE,
          INFLIGHT_ASYNC_OPS,
          BACKLOG,
          BLOCKED_ADDRESSES,
          FAILURES,
          FAILURES + RATE,
          LATENCY,
          DEAD_LETTERS,
          DEAD_LETTERS + RATE,
          HELD_CALLS,
          DELAYED_PENDING,
          ENDPOINT_DOWN,
          BATCH_SIZE);

  private final Counter in = new SimpleCounter();
  private final Counter outLocal = new SimpleCounter();
  private final Counter outRemote = new SimpleCounter();
  private final Counter outEgress = new SimpleCounter();
  private final Counter inflight = new SimpleCounter();
  private final Counter backlog = new SimpleCounter();
  private final Counter blocked = new SimpleCounter();
  private final Counter failures = new SimpleCounter();
  private final Counter deadLetters = new SimpleCounter();
  private final Counter held = new SimpleCounter();
  private final Counter delayedPending = new SimpleCounter();
  private final Histogram latency = new RecentValuesHistogram();
  private final Histogram batchSize = new RecentValuesHistogram();

  /**
   * @param endpointDown whether the type's endpoint is down as this subtask sees it
   */
  FunctionTypeMetrics(TypeName type, MetricGroup operator, BooleanSupplier endpointDown) {
    MetricGroup group = operator.addGroup(GROUP).addGroup(type.namespace()).addGroup(type.name());
    metered(group, IN, in);
    metered(group, OUT_LOCAL, outLocal);
    metered(group, OUT_REMOTE, outRemote);
    metered(group, OUT_EGRESS, outEgress);
    group.counter(INFLIGHT_ASYNC_OPS, inflight);
    group.counter(BACKLOG, backlog);
    group.counter(BLOCKED_ADDRESSES, blocked);
    metered(group, FAILURES, failures);
    group.histogram(LATENCY, latency);
    metered(group, DEAD_LETTERS, deadLetters);
    group.counter(HELD_CALLS, held);
    group.counter(DELAYED_PENDING, delayedPending);
    group.gauge(ENDPOINT_DOWN, () -> endpointDown.getAsBoolean() ? 1 : 0);
    group.histogram(BATCH_SIZE, batchSize);
  }

  /** For types met without a metric group (tests). */
  FunctionTypeMetrics() {}

  private static void metered(MetricGroup group, String name, Counter counter) {
    group.counter(name, counter);
    group.meter(name + RATE, new MeterView(counter));
  }

  /** A message arrived for an address of the type. */
  void received() {
    in.inc();
  }

  /** The type's function sent a message to an address of this subtask ({@code local}) or not. */
  void sent(boolean local) {
    (local ? outLocal : outRemote).inc();
  }

  void sentToEgress() {
    outEgress.inc();
  }

  /** A request went on the wire with {@code messages} invocations. */
  void called(int messages) {
    inflight.inc();
    batchSize.update(messages);
  }

  /** A call's response or error arrived. */
  void answered() {
    inflight.dec();
  }

  void succeeded(long latencyNanos) {
    latency.update(latencyNanos / 1_000_000);
  }

  void failed() {
    failures.inc();
  }

  void backlogChanged(long delta) {
    backlog.inc(delta);
  }

  void blockedChanged(int delta) {
    blocked.inc(delta);
  }

  void heldChanged(int delta) {
    held.inc(delta);
  }

  void delayedChanged(long delta) {
    delayedPending.inc(delta);
  }

  void deadLettered() {
    deadLetters.inc();
  }

  long backlog() {
    return backlog.getCount();
  }

  long blocked() {
    return blocked.getCount();
  }
}
