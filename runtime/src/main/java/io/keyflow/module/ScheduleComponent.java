package io.keyflow.module;

/**
 * A recurring message that a {@code module.yaml} document declares (kind {@code
 * io.keyflow.schedule.v1}). The module model only knows its id, to reject duplicates; the schedule
 * itself is read and run by {@code io.keyflow.schedule}.
 */
public interface ScheduleComponent extends Component {

  /** The schedule id; unique within a module. */
  String id();
}
