package io.keyflow.dispatch;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufSerializer;
import io.keyflow.protocol.internal.LearnedValues;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;

/**
 * The value specs each function type declared, checkpointed so that a restarted dispatcher knows
 * them before the type's first call: inspection shows a stuck address's values, and its values can
 * be deleted, even if its function is never called again.
 *
 * <p>Specs are learned per subtask (from the type's answers there), so this is union list operator
 * state: each subtask writes the types it knows, and on restore, at any parallelism, every subtask
 * gets every subtask's entries and merges them by type and value name. A savepoint written before
 * this state existed restores with none: values are then learned from the first call, as before.
 *
 * <p>Runs on the task thread.
 */
final class LearnedValueSpecs {
  /** Operator state name. Part of savepoints: never change it. */
  static final String STATE = RequestStates.VALUE_SPECS;

  private final ListState<LearnedValues> state;
  private final Map<TypeName, List<PersistedValueSpec>> restored;

  private LearnedValueSpecs(
      ListState<LearnedValues> state, Map<TypeName, List<PersistedValueSpec>> restored) {
    this.state = state;
    this.restored = restored;
  }

  /** Reads the specs every subtask checkpointed, merged per function type. */
  static LearnedValueSpecs restore(OperatorStateStore store) throws Exception {
    ListState<LearnedValues> state =
        store.getUnionListState(
            new ListStateDescriptor<>(STATE, new ProtobufSerializer<>(LearnedValues.class)));
    Map<TypeName, Map<String, PersistedValueSpec>> merged = new HashMap<>();
    Iterable<LearnedValues> entries = state.get();
    if (entries != null) {
      for (LearnedValues entry : entries) {
        Map<String, PersistedValueSpec> values =
            merged.computeIfAbsent(
                TypeName.parse(entry.getFunctionType()), t -> new LinkedHashMap<>());
        for (PersistedValueSpec spec : entry.getValuesList()) {
          values.putIfAbsent(spec.getStateName(), spec);
        }
      }
    }
    Map<TypeName, List<PersistedValueSpec>> restored = new HashMap<>();
    merged.forEach((type, values) -> restored.put(type, List.copyOf(values.values())));
    return new LearnedValueSpecs(state, restored);
  }

  /** No restored specs and nothing to checkpoint, for parts tested without an operator. */
  static LearnedValueSpecs none() {
    return new LearnedValueSpecs(null, Map.of());
  }

  /** The specs the restored checkpoint recorded for {@code type}, or null if it had none. */
  List<PersistedValueSpec> restored(TypeName type) {
    return restored.get(type);
  }

  /**
   * Writes the specs this subtask knows: of every type it has met whose values are known, and of
   * the restored types it has not met (so that they survive until some subtask meets them).
   */
  void snapshot(Map<TypeName, FunctionRuntime> met) throws Exception {
    if (state == null) {
      return;
    }
    List<LearnedValues> out = new ArrayList<>();
    for (Map.Entry<TypeName, FunctionRuntime> e : met.entrySet()) {
      if (e.getValue().values().known()) {
        out.add(entry(e.getKey(), e.getValue().values().specs()));
      }
    }
    for (Map.Entry<TypeName, List<PersistedValueSpec>> e : restored.entrySet()) {
      if (!met.containsKey(e.getKey())) {
        out.add(entry(e.getKey(), e.getValue()));
      }
    }
    state.update(out);
  }

  private static LearnedValues entry(TypeName type, List<PersistedValueSpec> specs) {
    return LearnedValues.newBuilder().setFunctionType(type.toString()).addAllValues(specs).build();
  }
}
