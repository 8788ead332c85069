package io.keyflow.savepoint;

import io.keyflow.job.OperatorIds;
import io.keyflow.state.TypedBytesSerializerSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.runtime.state.ttl.TtlStateFactory;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.runtime.SavepointLoader;

/**
 * What a savepoint or retained checkpoint holds for the Keyflow dispatcher: its max parallelism,
 * the values each function type declared (names, typenames and expirations from the state backend's
 * metadata, so no module and no function is needed), and the names of the other keyed states it
 * has.
 */
public final class DispatcherLayout {
  private final String path;
  private final OperatorState operator;
  private final List<DeclaredValue> values;
  private final Set<String> states;

  private DispatcherLayout(
      String path, OperatorState operator, List<DeclaredValue> values, Set<String> states) {
    this.path = path;
    this.operator = operator;
    this.values = values;
    this.states = states;
  }

  /** The operator id under which a Keyflow job keeps its dispatcher state. */
  public static OperatorIdentifier dispatcher() {
    return OperatorIdentifier.forUid(OperatorIds.DISPATCHER_UID);
  }

  /**
   * Reads the metadata of the savepoint or checkpoint at {@code path} and of every keyed state
   * snapshot the dispatcher has in it.
   *
   * @throws SavepointException if the path holds no Keyflow savepoint or its state cannot be read
   */
  public static DispatcherLayout read(String path) {
    CheckpointMetadata metadata;
    try {
      metadata = SavepointLoader.loadSavepointMetadata(path);
    } catch (IOException | RuntimeException e) {
      throw SavepointException.unreadable(path, e);
    }
    OperatorState operator =
        metadata.getOperatorStates().stream()
            .filter(s -> s.getOperatorID().equals(dispatcher().getOperatorId()))
            .findFirst()
            .orElseThrow(() -> SavepointException.noDispatcher(path));
    Map<String, DeclaredValue> values = new LinkedHashMap<>();
    Set<String> states = new TreeSet<>();
    ClassLoader loader = DispatcherLayout.class.getClassLoader();
    for (OperatorSubtaskState subtask : operator.getStates()) {
      for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
        for (StateMetaInfoSnapshot info : metaInfo(path, handle, loader)) {
          if (info.getBackendStateType() != StateMetaInfoSnapshot.BackendStateType.KEY_VALUE) {
            continue;
          }
          states.add(info.getName());
          DeclaredValue value = declaredValue(info);
          if (value == null) {
            continue;
          }
          DeclaredValue seen = values.putIfAbsent(info.getName(), value);
          if (seen != null && !seen.typename().equals(value.typename())) {
            throw SavepointException.conflictingTypes(path, info.getName(), seen, value);
          }
        }
      }
    }
    return new DispatcherLayout(path, operator, List.copyOf(values.values()), states);
  }

  public String path() {
    return path;
  }

  /** The number of key groups the state is split into. */
  public int maxParallelism() {
    return operator.getMaxParallelism();
  }

  /** The values the function types declared, in the order the savepoint lists them. */
  public List<DeclaredValue> values() {
    return values;
  }

  /** Whether the dispatcher has keyed state of this name. */
  public boolean has(String state) {
    return states.contains(state);
  }

  OperatorState operatorState() {
    return operator;
  }

  private static DeclaredValue declaredValue(StateMetaInfoSnapshot info) {
    TypeSerializerSnapshot<?> snapshot =
        info.getTypeSerializerSnapshot(StateMetaInfoSnapshot.CommonSerializerKeys.VALUE_SERIALIZER);
    boolean ttl = false;
    if (snapshot instanceof TtlStateFactory.TtlSerializerSnapshot<?> wrapped) {
      snapshot = wrapped.getValueSerializerSnapshot();
      ttl = true;
    }
    if (!(snapshot instanceof TypedBytesSerializerSnapshot typed)) {
      return null;
    }
    return DeclaredValue.parse(info.getName(), typed.typename(), typed.expiration(), ttl);
  }

  private static List<StateMetaInfoSnapshot> metaInfo(
      String path, KeyedStateHandle handle, ClassLoader loader) {
    StreamStateHandle stream;
    if (handle instanceof IncrementalKeyedStateHandle incremental) {
      stream = incremental.getMetaDataStateHandle();
    } else if (handle instanceof KeyGroupsStateHandle full) {
      stream = full;
    } else {
      throw SavepointException.unsupportedHandle(path, handle);
    }
    try (InputStream in = stream.openInputStream()) {
      KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(loader);
      proxy.read(new DataInputViewStreamWrapper(in));
      return new ArrayList<>(proxy.getStateMetaInfoSnapshots());
    } catch (IOException e) {
      throw SavepointException.unreadable(path, e);
    }
  }
}
