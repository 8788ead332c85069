package io.keyflow.dispatch;

import io.keyflow.protocol.control.ControlRequest.Action;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * What operators asked of single addresses through the gateway's admin routes, counted per action
 * on each dispatcher subtask, and the one place that names these metrics. Updated on the task
 * thread.
 */
final class ControlMetrics {
  static final String INSPECTIONS = "keyflowAdminInspections";
  static final String PAUSES = "keyflowAdminPauses";
  static final String RESUMES = "keyflowAdminResumes";
  static final String SKIPS = "keyflowAdminSkips";
  static final String DELAY_CANCELLATIONS = "keyflowAdminDelayCancellations";
  static final String STATE_DELETIONS = "keyflowAdminStateDeletions";
  static final String REFUSED = "keyflowAdminRefused";

  /** Every name registered on the operator, for docs and tests. */
  static final List<String> NAMES =
      List.of(INSPECTIONS, PAUSES, RESUMES, SKIPS, DELAY_CANCELLATIONS, STATE_DELETIONS, REFUSED);

  private final Map<Action, Counter> perAction = new EnumMap<>(Action.class);
  final Counter refused;

  ControlMetrics(MetricGroup operator) {
    perAction.put(Action.INSPECT, operator.counter(INSPECTIONS));
    perAction.put(Action.PAUSE, operator.counter(PAUSES));
    perAction.put(Action.RESUME, operator.counter(RESUMES));
    perAction.put(Action.SKIP, operator.counter(SKIPS));
    perAction.put(Action.CANCEL_DELAY, operator.counter(DELAY_CANCELLATIONS));
    perAction.put(Action.DELETE_STATE, operator.counter(STATE_DELETIONS));
    refused = operator.counter(REFUSED);
  }

  /** Counts a request that was carried out (whether or not it had anything to change). */
  void applied(Action action) {
    Counter counter = perAction.get(action);
    if (counter != null) {
      counter.inc();
    }
  }
}
