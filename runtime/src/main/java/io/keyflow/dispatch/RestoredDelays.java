package io.keyflow.dispatch;

import io.keyflow.protocol.internal.DelayedEnvelope;
import io.keyflow.protocol.reqreply.Address;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyedStateBackend;

/**
 * Counts the delayed messages in restored keyed state per sending address's type, so that the
 * pending-delay gauge starts from what a checkpoint holds rather than from zero. Reads every
 * (sender id, fire time) list once when the task starts; runs on the task thread, after the state
 * is registered.
 */
final class RestoredDelays {
  private RestoredDelays() {}

  /** Reads the messages due at a fire time for one sender id. */
  interface Lists {
    Iterable<DelayedEnvelope> read(String id, long fireTime) throws Exception;
  }

  /** Receives a count per sending address (of one type). */
  interface Counts {
    void add(Address caller, long count);
  }

  static void count(
      KeyedStateBackend<String> backend,
      ListStateDescriptor<DelayedEnvelope> descriptor,
      Lists lists,
      Counts counts)
      throws Exception {
    List<Tuple2<String, Long>> keys;
    try (Stream<Tuple2<String, Long>> stream = backend.getKeysAndNamespaces(descriptor.getName())) {
      keys = stream.toList();
    }
    Map<String, Address> callers = new HashMap<>();
    Map<String, Long> perType = new HashMap<>();
    for (Tuple2<String, Long> key : keys) {
      Iterable<DelayedEnvelope> all = lists.read(key.f0, key.f1);
      if (all == null) {
        continue;
      }
      for (DelayedEnvelope delayed : all) {
        Address caller = delayed.getEnvelope().getCaller();
        String type = caller.getNamespace() + "/" + caller.getType();
        callers.putIfAbsent(type, caller);
        perType.merge(type, 1L, Long::sum);
      }
    }
    perType.forEach((type, count) -> counts.add(callers.get(type), count));
  }
}
