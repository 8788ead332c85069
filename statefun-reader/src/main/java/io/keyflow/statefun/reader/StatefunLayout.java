package io.keyflow.statefun.reader;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.runtime.state.ttl.TtlStateFactory;
import org.apache.flink.state.api.runtime.OperatorIDGenerator;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.statefun.flink.core.types.remote.RemoteValueSerializerSnapshot;

/**
 * What a StateFun 3.x savepoint holds in its functions operator ({@code functions_uid1}), read from
 * the savepoint's metadata and the keyed-state meta data of every subtask: the function types, the
 * remote values each declared (with typename and whether they expire), and every other state, for
 * the report.
 *
 * <p>State names are read as {@link StateNames} describes; a remote value is a value state whose
 * serializer is StateFun's {@code RemoteValueSerializer}.
 */
final class StatefunLayout {
  /** The UID of StateFun's functions operator. */
  static final String FUNCTIONS_UID = "functions_uid1";

  /** The UID of StateFun's feedback head, which logs messages in the loop at a snapshot. */
  static final String FEEDBACK_UID = "feedback_union_uid1";

  /**
   * An empty key group in the feedback head's log: its header (version and magic, two ints) and a
   * message count of 0 (an int). StateFun writes one for every key group of the subtask, with or
   * without messages.
   */
  private static final long FEEDBACK_EMPTY_KEY_GROUP_BYTES = 12;

  static final String REQUEST_STATE = StateNames.REQUEST_STATE;
  static final String BATCH = StateNames.BATCH;
  static final String ASYNC_OPERATIONS = StateNames.ASYNC_OPERATIONS;
  static final String DELAYED_BUFFER = StateNames.DELAYED_BUFFER;

  /**
   * A remote value a function type declared.
   *
   * @param function the function type, {@code namespace/type}
   * @param name the value's name
   * @param state the Flink state name
   * @param typename the value's typename
   * @param ttl whether the stored values carry Flink's time-to-live timestamp
   * @param serializer the serializer of the stored values (a time-to-live wrapper when {@code ttl})
   */
  record RemoteValue(
      String function,
      String name,
      String state,
      String typename,
      boolean ttl,
      TypeSerializer<?> serializer) {}

  /** A state this reader does not carry, for the report. */
  record OtherState(String name, String kind) {}

  private final String path;
  private final OperatorState operator;
  private final Set<String> functionTypes;
  private final List<RemoteValue> values;
  private final Map<String, StateMetaInfoSnapshot> states;
  private final List<OtherState> others;
  private final int otherOperators;
  private final long feedbackKeyGroupsWithMessages;

  private StatefunLayout(
      String path,
      OperatorState operator,
      Set<String> functionTypes,
      List<RemoteValue> values,
      Map<String, StateMetaInfoSnapshot> states,
      List<OtherState> others,
      int otherOperators,
      long feedbackKeyGroupsWithMessages) {
    this.path = path;
    this.operator = operator;
    this.functionTypes = functionTypes;
    this.values = values;
    this.states = states;
    this.others = others;
    this.otherOperators = otherOperators;
    this.feedbackKeyGroupsWithMessages = feedbackKeyGroupsWithMessages;
  }

  /**
   * Reads the layout of the savepoint at {@code path}.
   *
   * @throws ReaderException if it cannot be read or holds no StateFun functions operator
   */
  static StatefunLayout read(String path) {
    CheckpointMetadata metadata;
    try {
      metadata = SavepointLoader.loadSavepointMetadata(path);
    } catch (IOException | RuntimeException e) {
      throw new ReaderException(
          path
              + ": cannot read a savepoint here ("
              + e.getMessage()
              + "); give the directory of a StateFun savepoint (the one holding _metadata)",
          e);
    }
    OperatorID functions = OperatorIDGenerator.fromUid(FUNCTIONS_UID);
    OperatorState operator =
        metadata.getOperatorStates().stream()
            .filter(s -> s.getOperatorID().equals(functions))
            .findFirst()
            .orElseThrow(
                () ->
                    new ReaderException(
                        path
                            + ": holds no StateFun functions operator (uid "
                            + FUNCTIONS_UID
                            + "); is it the savepoint of a StateFun 3.x job?",
                        null));
    Map<String, StateMetaInfoSnapshot> states = new TreeMap<>();
    ClassLoader loader = StatefunLayout.class.getClassLoader();
    for (OperatorSubtaskState subtask : operator.getStates()) {
      for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
        for (StateMetaInfoSnapshot info : metaInfo(path, handle, loader)) {
          states.putIfAbsent(info.getName(), info);
        }
      }
    }
    List<String> byLength = StateNames.functionTypes(states.keySet());
    Set<String> types = new TreeSet<>(byLength);
    List<RemoteValue> values = new ArrayList<>();
    List<OtherState> others = new ArrayList<>();
    for (StateMetaInfoSnapshot info : states.values()) {
      String name = info.getName();
      if (StateNames.isInternal(name, types)) {
        continue;
      }
      RemoteValue value = remoteValue(info, byLength);
      if (value != null) {
        values.add(value);
      } else {
        others.add(new OtherState(name, info.getBackendStateType().name()));
      }
    }
    OperatorID feedback = OperatorIDGenerator.fromUid(FEEDBACK_UID);
    int otherOperators =
        (int)
            metadata.getOperatorStates().stream()
                .filter(s -> !s.getOperatorID().equals(functions))
                .filter(s -> !s.getOperatorID().equals(feedback))
                .filter(s -> s.getStateSize() > 0)
                .count();
    long feedbackMessages =
        metadata.getOperatorStates().stream()
            .filter(s -> s.getOperatorID().equals(feedback))
            .mapToLong(StatefunLayout::keyGroupsWithMessages)
            .sum();
    return new StatefunLayout(
        path,
        operator,
        types,
        List.copyOf(values),
        states,
        List.copyOf(others),
        otherOperators,
        feedbackMessages);
  }

  /**
   * The key groups in which the feedback head logged messages: functions' messages to each other
   * that were in the loop when the savepoint was taken. Each key group's log holds a header, a
   * message count and the messages, so one longer than an empty one holds messages.
   */
  private static long keyGroupsWithMessages(OperatorState feedback) {
    long found = 0;
    for (OperatorSubtaskState subtask : feedback.getStates()) {
      for (KeyedStateHandle handle : subtask.getRawKeyedState()) {
        if (!(handle instanceof KeyGroupsStateHandle)) {
          continue;
        }
        KeyGroupsStateHandle groups = (KeyGroupsStateHandle) handle;
        List<Long> offsets = new ArrayList<>();
        for (org.apache.flink.api.java.tuple.Tuple2<Integer, Long> e :
            groups.getGroupRangeOffsets()) {
          offsets.add(e.f1);
        }
        offsets.sort(null);
        for (int i = 0; i < offsets.size(); i++) {
          long end = i + 1 < offsets.size() ? offsets.get(i + 1) : groups.getStateSize();
          if (end - offsets.get(i) > FEEDBACK_EMPTY_KEY_GROUP_BYTES) {
            found++;
          }
        }
      }
    }
    return found;
  }

  private static RemoteValue remoteValue(StateMetaInfoSnapshot info, List<String> types) {
    if (info.getBackendStateType() != StateMetaInfoSnapshot.BackendStateType.KEY_VALUE) {
      return null;
    }
    TypeSerializerSnapshot<?> snapshot =
        info.getTypeSerializerSnapshot(StateMetaInfoSnapshot.CommonSerializerKeys.VALUE_SERIALIZER);
    boolean ttl = false;
    if (snapshot instanceof TtlStateFactory.TtlSerializerSnapshot) {
      // Flink's time-to-live wrapper nests (timestamp, value).
      snapshot =
          ((TtlStateFactory.TtlSerializerSnapshot<?>) snapshot).getNestedSerializerSnapshots()[1];
      ttl = true;
    }
    if (!(snapshot instanceof RemoteValueSerializerSnapshot)) {
      return null;
    }
    StateNames.FunctionValue value = StateNames.value(info.getName(), types);
    if (value == null) {
      return null;
    }
    TypeSerializerSnapshot<?> stored =
        info.getTypeSerializerSnapshot(StateMetaInfoSnapshot.CommonSerializerKeys.VALUE_SERIALIZER);
    return new RemoteValue(
        value.function(),
        value.name(),
        info.getName(),
        ((RemoteValueSerializerSnapshot) snapshot).type().canonicalTypenameString(),
        ttl,
        stored.restoreSerializer());
  }

  private static List<StateMetaInfoSnapshot> metaInfo(
      String path, KeyedStateHandle handle, ClassLoader loader) {
    StreamStateHandle stream;
    if (handle instanceof IncrementalRemoteKeyedStateHandle) {
      stream = ((IncrementalRemoteKeyedStateHandle) handle).getMetaStateHandle();
    } else if (handle instanceof KeyGroupsStateHandle) {
      stream = (KeyGroupsStateHandle) handle;
    } else {
      throw new ReaderException(
          path
              + ": keyed state of kind "
              + handle.getClass().getSimpleName()
              + " is not supported; take the savepoint in canonical format (the default of"
              + " 'flink stop --savepointPath')",
          null);
    }
    try (InputStream in = stream.openInputStream()) {
      KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(loader);
      proxy.read(new DataInputViewStreamWrapper(in));
      return new ArrayList<>(proxy.getStateMetaInfoSnapshots());
    } catch (IOException e) {
      throw new ReaderException(path + ": cannot read keyed state meta data: " + e, e);
    }
  }

  String path() {
    return path;
  }

  OperatorState operatorState() {
    return operator;
  }

  int maxParallelism() {
    return operator.getMaxParallelism();
  }

  /** Function types, {@code namespace.type} as StateFun prefixes their state. */
  Set<String> functionTypes() {
    return functionTypes;
  }

  List<RemoteValue> values() {
    return values;
  }

  /** Whether the functions operator has keyed state of this name. */
  boolean has(String state) {
    return states.containsKey(state);
  }

  /** The restored serializer of a state's values (for lists: the list serializer). */
  TypeSerializer<?> valueSerializer(String state) {
    return states
        .get(state)
        .getTypeSerializerSnapshot(StateMetaInfoSnapshot.CommonSerializerKeys.VALUE_SERIALIZER)
        .restoreSerializer();
  }

  /** States of the functions operator that are not carried (embedded functions' state, ...). */
  List<OtherState> others() {
    return others;
  }

  /**
   * Key groups of the feedback head that hold messages functions sent each other and that were in
   * the loop at the savepoint; they are not carried.
   */
  long feedbackKeyGroupsWithMessages() {
    return feedbackKeyGroupsWithMessages;
  }

  /** Operators other than the functions operator and feedback head with state (sources, sinks). */
  int otherOperators() {
    return otherOperators;
  }
}
