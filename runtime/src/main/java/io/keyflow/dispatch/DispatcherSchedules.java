package io.keyflow.dispatch;

import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.ScheduleState;
import io.keyflow.schedule.Schedules;
import java.util.stream.Stream;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;

/**
 * Lends a dispatcher subtask's keyed state, key, routing and clock to its {@link Schedules}, so
 * that the dispatcher itself only starts them and hands them the messages to {@code
 * keyflow/schedules}.
 */
final class DispatcherSchedules implements Schedules.Host {

  /** The dispatcher's routing: this subtask's addresses directly, others round the loop. */
  interface Router {
    boolean route(Envelope message) throws Exception;
  }

  private final DispatcherOperator operator;
  private final FunctionRegistry functions;
  private final Router router;
  private final TaskInfo task;

  private DispatcherSchedules(
      DispatcherOperator operator, FunctionRegistry functions, Router router) {
    this.operator = operator;
    this.functions = functions;
    this.router = router;
    this.task = operator.getRuntimeContext().getTaskInfo();
  }

  /** Creates the subtask's schedules and arms the static ones it owns; runs in {@code open()}. */
  static Schedules start(
      DispatcherOperator operator, Module module, FunctionRegistry functions, Router router)
      throws Exception {
    Schedules schedules =
        new Schedules(
            module.schedules(),
            new DispatcherSchedules(operator, functions, router),
            operator.getMetricGroup());
    schedules.start(
        operator.getInternalTimerService(
            Schedules.TIMERS, VoidNamespaceSerializer.INSTANCE, schedules));
    return schedules;
  }

  @Override
  public ValueState<ScheduleState> state(ValueStateDescriptor<ScheduleState> descriptor)
      throws Exception {
    return operator.getPartitionedState(
        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
  }

  @Override
  public Stream<String> keys(ValueStateDescriptor<ScheduleState> descriptor) throws Exception {
    state(descriptor); // registers restored state, so that its keys can be listed
    return operator
        .<String>getKeyedStateBackend()
        .getKeys(descriptor.getName(), VoidNamespace.INSTANCE);
  }

  @Override
  public void setCurrentKey(String id) {
    operator.setCurrentKey(id);
  }

  @Override
  public boolean owns(String id) {
    return KeyGroupRangeAssignment.assignKeyToParallelOperator(
            id, task.getMaxNumberOfParallelSubtasks(), task.getNumberOfParallelSubtasks())
        == task.getIndexOfThisSubtask();
  }

  @Override
  public boolean serves(TypeName type) {
    return functions.serves(type);
  }

  @Override
  public void route(Envelope message) throws Exception {
    router.route(message);
  }

  @Override
  public long now() {
    return operator.getProcessingTimeService().getCurrentProcessingTime();
  }
}
