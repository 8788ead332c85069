package io.keyflow.dispatch;

import io.keyflow.module.TypeName;
import org.apache.flink.metrics.MetricGroup;

/**
 * The metrics of one function type on one dispatcher subtask, in the group {@code function} with
 * the type as its value (a label for Prometheus). This class owns their names.
 *
 * <p>Updated on the task thread; read by metric reporters on theirs.
 */
final class FunctionTypeMetrics {
  /** Messages waiting in the backlogs of the type's addresses. */
  static final String BACKLOG = "keyflowBacklog";

  /**
   * Addresses of the type whose request is off the wire while it waits: for a retry after a failed
   * call, for a slot under the endpoint's {@code maxConcurrentRequests}, or for the type's first
   * call.
   */
  static final String BLOCKED_ADDRESSES = "keyflowBlockedAddresses";

  static final String GROUP = "function";

  private volatile long backlog;
  private volatile int blocked;

  FunctionTypeMetrics(TypeName type, MetricGroup operator) {
    MetricGroup group = operator.addGroup(GROUP, type.toString());
    group.gauge(BACKLOG, () -> backlog);
    group.gauge(BLOCKED_ADDRESSES, () -> blocked);
  }

  /** For types met without a metric group (tests). */
  FunctionTypeMetrics() {}

  void backlogChanged(long delta) {
    backlog += delta;
  }

  void blockedChanged(int delta) {
    blocked += delta;
  }

  long backlog() {
    return backlog;
  }

  int blocked() {
    return blocked;
  }
}
