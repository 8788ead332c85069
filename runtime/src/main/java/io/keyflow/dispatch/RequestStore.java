package io.keyflow.dispatch;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufSerializer;
import io.keyflow.protocol.internal.PendingBatch;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyedStateBackend;

/**
 * Keyed state of the per-address request machine, namespaced by function type: the backlog of
 * messages waiting for the next batch, and the invocations of outstanding requests that a
 * checkpoint saw. Methods act on the current key unless they take one.
 */
final class RequestStore {
  /** Keyed state holding the invocations of an outstanding request. Part of savepoints. */
  static final String INFLIGHT_STATE = "keyflow.inflight";

  /** Keyed state holding messages that wait for the next batch. Part of savepoints. */
  static final String BACKLOG_STATE = "keyflow.backlog";

  /** The operator's namespaced keyed state. */
  interface Access {
    <S extends State> S state(String namespace, StateDescriptor<S, ?> descriptor) throws Exception;

    void setCurrentKey(String id);
  }

  /** A request found outstanding in restored state. */
  record Restored(AddressKey key, List<Invocation> invocations, int backlog) {}

  private final Access access;
  private final ValueStateDescriptor<PendingBatch> inflight =
      new ValueStateDescriptor<>(INFLIGHT_STATE, new ProtobufSerializer<>(PendingBatch.class));
  private final ListStateDescriptor<Invocation> backlog =
      new ListStateDescriptor<>(BACKLOG_STATE, new ProtobufSerializer<>(Invocation.class));

  RequestStore(Access access) {
    this.access = access;
  }

  void appendToBacklog(AddressKey key, Invocation invocation) throws Exception {
    backlogOf(key).add(invocation);
  }

  /** Takes the whole backlog, in arrival order. */
  List<Invocation> takeBacklog(AddressKey key, int expected) throws Exception {
    ListState<Invocation> state = backlogOf(key);
    List<Invocation> out = new ArrayList<>(expected);
    Iterable<Invocation> waiting = state.get();
    if (waiting != null) {
      waiting.forEach(out::add);
    }
    state.clear();
    return out;
  }

  void saveInflight(AddressKey key, List<Invocation> invocations) throws Exception {
    inflightOf(key).update(PendingBatch.newBuilder().addAllInvocations(invocations).build());
  }

  void clearInflight(AddressKey key) throws Exception {
    inflightOf(key).clear();
  }

  /** Every request that was outstanding at the restored checkpoint. Changes the current key. */
  List<Restored> restored(KeyedStateBackend<String> backend) throws Exception {
    backend.getOrCreateKeyedState(StringSerializer.INSTANCE, inflight);
    List<Tuple2<String, String>> keys;
    try (Stream<Tuple2<String, String>> stream =
        backend.<String>getKeysAndNamespaces(INFLIGHT_STATE)) {
      keys = stream.toList();
    }
    List<Restored> out = new ArrayList<>(keys.size());
    for (Tuple2<String, String> entry : keys) {
      AddressKey key = new AddressKey(TypeName.parse(entry.f1), entry.f0);
      access.setCurrentKey(key.id());
      PendingBatch batch = inflightOf(key).value();
      if (batch == null) {
        continue;
      }
      int waiting = 0;
      Iterable<Invocation> backlogged = backlogOf(key).get();
      if (backlogged != null) {
        for (Invocation ignored : backlogged) {
          waiting++;
        }
      }
      out.add(new Restored(key, batch.getInvocationsList(), waiting));
    }
    return out;
  }

  private ValueState<PendingBatch> inflightOf(AddressKey key) throws Exception {
    return access.state(key.function().toString(), inflight);
  }

  private ListState<Invocation> backlogOf(AddressKey key) throws Exception {
    return access.state(key.function().toString(), backlog);
  }
}
