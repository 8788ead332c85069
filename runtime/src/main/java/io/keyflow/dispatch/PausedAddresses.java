package io.keyflow.dispatch;

import io.keyflow.module.TypeName;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyedStateBackend;

/**
 * The addresses of one dispatcher subtask that an operator has paused. Keyed state ({@link
 * RequestStates#PAUSED}, namespaced by function type like the backlog) is the record, so a pause
 * survives checkpoints, restores and rescaling; a set in memory, rebuilt from it when the task
 * starts, answers the question every message to an idle address asks without a state read. Paused
 * addresses are few, so the set stays small.
 *
 * <p>Runs on the task thread; {@link #pause} and {@link #resume} need the address's key current.
 */
final class PausedAddresses {
  private final RequestStore.Access access;
  private final ValueStateDescriptor<Boolean> descriptor = RequestStates.paused();
  private final Set<AddressKey> paused = new HashSet<>();

  PausedAddresses(RequestStore.Access access) {
    this.access = access;
  }

  /** Whether {@code key} is paused. Cheap: no state read. */
  boolean isPaused(AddressKey key) {
    return !paused.isEmpty() && paused.contains(key);
  }

  /**
   * @return false if it was paused already
   */
  boolean pause(AddressKey key) throws Exception {
    access.state(key.function().toString(), descriptor).update(Boolean.TRUE);
    return paused.add(key);
  }

  /**
   * @return false if it was not paused
   */
  boolean resume(AddressKey key) throws Exception {
    access.state(key.function().toString(), descriptor).clear();
    return paused.remove(key);
  }

  /** Reads the paused addresses of restored state. Changes the current key. */
  List<AddressKey> restore(KeyedStateBackend<String> backend) throws Exception {
    backend.getOrCreateKeyedState(StringSerializer.INSTANCE, descriptor);
    List<Tuple2<String, String>> keys;
    try (Stream<Tuple2<String, String>> stream =
        backend.<String>getKeysAndNamespaces(RequestStates.PAUSED)) {
      keys = stream.toList();
    }
    for (Tuple2<String, String> entry : keys) {
      AddressKey key = new AddressKey(TypeName.parse(entry.f1), entry.f0);
      access.setCurrentKey(key.id());
      if (access.state(entry.f1, descriptor).value() != null) {
        paused.add(key);
      }
    }
    return List.copyOf(paused);
  }
}
