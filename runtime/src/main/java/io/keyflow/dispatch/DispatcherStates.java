package io.keyflow.dispatch;

import io.keyflow.delay.DelayedMessages;
import io.keyflow.module.Module;
import io.keyflow.protocol.internal.DelayedEnvelope;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.util.OutputTag;

/**
 * Wires a dispatcher subtask's parts to its keyed state and outputs: the request machine's
 * namespaced states, the declared values of each function type, the delayed messages, and where the
 * effects of answers go. Keeps the operator itself to dispatching; every state name used here is a
 * constant of its owner ({@link RequestStates}, {@link DelayedMessages}, {@link
 * io.keyflow.state.FunctionValues#stateName}).
 *
 * <p>Runs on the task thread, in {@code initializeState} and {@code open}.
 */
final class DispatcherStates {
  private DispatcherStates() {}

  /** The operator's keyed state namespaced by function type, and its current key. */
  static RequestStore.Access keyed(DispatcherOperator operator) {
    return new RequestStore.Access() {
      @Override
      public <S extends State> S state(String namespace, StateDescriptor<S, ?> descriptor)
          throws Exception {
        return operator.getPartitionedState(namespace, StringSerializer.INSTANCE, descriptor);
      }

      @Override
      public void setCurrentKey(String id) {
        operator.setCurrentKey(id);
      }
    };
  }

  /**
   * The function types the subtask serves, with their values bound to keyed state and the specs
   * remembered from the restored checkpoint.
   *
   * @param endpointDown whether an endpoint is down, for each type's metrics
   */
  static FunctionRegistry functions(
      DispatcherOperator operator,
      Module module,
      Function<io.keyflow.module.HttpEndpoint, BooleanSupplier> endpointDown,
      LearnedValueSpecs learned) {
    return new FunctionRegistry(
        module,
        (name, serializer, ttl) -> {
          ValueStateDescriptor<byte[]> descriptor = new ValueStateDescriptor<>(name, serializer);
          if (ttl != null) {
            descriptor.enableTimeToLive(ttl);
          }
          return operator.getPartitionedState(
              VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
        },
        (type, endpoint) ->
            new FunctionTypeMetrics(type, operator.getMetricGroup(), endpointDown.apply(endpoint)),
        learned);
  }

  /** The delayed messages the subtask's addresses sent, with their timers. */
  static DelayedMessages delayed(
      DispatcherOperator operator, ListStateDescriptor<DelayedEnvelope> messages) {
    MapStateDescriptor<String, Long> tokens = DelayedMessages.tokensDescriptor();
    MapStateDescriptor<Long, Boolean> fireTimes = DelayedMessages.fireTimesDescriptor();
    return new DelayedMessages(
        new DelayedMessages.StateAccess() {
          @Override
          public ListState<DelayedEnvelope> messagesAt(long fireTime) throws Exception {
            return operator.getPartitionedState(fireTime, LongSerializer.INSTANCE, messages);
          }

          @Override
          public MapState<String, Long> tokens() throws Exception {
            return operator.getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, tokens);
          }

          @Override
          public MapState<Long, Boolean> fireTimes() throws Exception {
            return operator.getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, fireTimes);
          }
        },
        operator.getInternalTimerService(
            DelayedMessages.TIMERS, VoidNamespaceSerializer.INSTANCE, operator));
  }

  /**
   * Where the effects of answers go: egress records to {@code output}, messages to {@code router}.
   */
  static ResponseEffects.Dispatcher effectsOutput(
      DeadLetters.Output output, DispatcherSchedules.Router router, LongSupplier clock) {
    return new ResponseEffects.Dispatcher() {
      @Override
      public void emit(OutputTag<TypedValue> egress, TypedValue record) {
        output.collect(egress, record);
      }

      @Override
      public boolean route(Envelope message) throws Exception {
        return router.route(message);
      }

      @Override
      public long now() {
        return clock.getAsLong();
      }
    };
  }
}
