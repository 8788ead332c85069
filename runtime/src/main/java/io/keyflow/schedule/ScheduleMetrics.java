package io.keyflow.schedule;

import io.keyflow.protocol.internal.ScheduleState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The metrics of schedules on one dispatcher subtask, and the one place that names them.
 *
 * <p>Each static schedule has a group {@code schedule/<id>} on the subtask that owns it, with
 * gauges read from its keyed state, so its counts run from its creation and survive restarts and
 * rescales. Dynamic schedules can be one per customer, so they are counted together, per subtask
 * since it started. Updated on the task thread; gauges are read by reporters on other threads.
 */
public final class ScheduleMetrics {
  /** Group per static schedule; its metrics are {@code <operator>.schedule.<id>.<name>}. */
  public static final String GROUP = "schedule";

  public static final String FIRES = "keyflowScheduleFires";
  public static final String MISSED = "keyflowScheduleMissed";
  public static final String LATE = "keyflowScheduleLate";
  public static final String NEXT_FIRE = "keyflowScheduleNextFire";
  public static final String LATENESS = "keyflowScheduleLateness";

  public static final String DYNAMIC_FIRES = "keyflowDynamicScheduleFires";
  public static final String DYNAMIC_MISSED = "keyflowDynamicScheduleMissed";
  public static final String DYNAMIC_LATE = "keyflowDynamicScheduleLate";
  public static final String COMMANDS = "keyflowScheduleCommands";
  public static final String COMMANDS_REJECTED = "keyflowScheduleCommandsRejected";

  /** The names registered per static schedule, in its group. */
  public static final List<String> PER_SCHEDULE = List.of(FIRES, MISSED, LATE, NEXT_FIRE, LATENESS);

  /** The names registered on the operator. */
  public static final List<String> PER_SUBTASK =
      List.of(DYNAMIC_FIRES, DYNAMIC_MISSED, DYNAMIC_LATE, COMMANDS, COMMANDS_REJECTED);

  final Counter dynamicFires;
  final Counter dynamicMissed;
  final Counter dynamicLate;
  final Counter commands;
  final Counter rejected;
  private final MetricGroup operator;
  private final Map<String, Static> statics = new HashMap<>();

  ScheduleMetrics(MetricGroup operator) {
    this.operator = operator;
    dynamicFires = operator.counter(DYNAMIC_FIRES);
    dynamicMissed = operator.counter(DYNAMIC_MISSED);
    dynamicLate = operator.counter(DYNAMIC_LATE);
    commands = operator.counter(COMMANDS);
    rejected = operator.counter(COMMANDS_REJECTED);
  }

  /** Shows what {@code state} says of static schedule {@code id}. */
  void staticSchedule(String id, ScheduleState state, long latenessMillis) {
    Static s = statics.computeIfAbsent(id, this::register);
    s.fires = state.getFires();
    s.missed = state.getMissed();
    s.late = state.getLate();
    s.nextFire = state.getNextFireMillis();
    if (latenessMillis >= 0) {
      s.lateness = latenessMillis;
    }
  }

  /** Counts fires of a dynamic schedule. */
  void dynamicSchedule(long fires, long missed, long late) {
    dynamicFires.inc(fires);
    dynamicMissed.inc(missed);
    dynamicLate.inc(late);
  }

  private Static register(String id) {
    Static s = new Static();
    MetricGroup group = operator.addGroup(GROUP, id);
    group.gauge(FIRES, () -> s.fires);
    group.gauge(MISSED, () -> s.missed);
    group.gauge(LATE, () -> s.late);
    group.gauge(NEXT_FIRE, () -> s.nextFire);
    group.gauge(LATENESS, () -> s.lateness);
    return s;
  }

  private static final class Static {
    volatile long fires;
    volatile long missed;
    volatile long late;
    volatile long nextFire = -1;
    volatile long lateness;
  }
}
