package io.keyflow.dispatch;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.internal.PendingBatch;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyedStateBackend;

/**
 * Keyed state of the per-address request machine, namespaced by function type: the messages waiting
 * for the next batch, and the invocations of outstanding requests that a checkpoint saw.
 *
 * <p><b>Waiting messages.</b> A message for a busy address is appended to its backlog list (a cheap
 * RocksDB merge). When the address's request completes, the whole list is taken if it fits in one
 * batch, which is the common case. A longer list is cut once into batches of the limit, which go to
 * a queue of ready batches numbered {@code [Pending.batchesFirst, Pending.batchesEnd)}; later
 * batches come from that queue first, then from the list again. Every message is thus read and
 * written at most twice however long the backlog grows, and arrival order holds: the queue always
 * holds older messages than the list.
 */
final class RequestStore {
  /** Keyed state holding the invocations of an outstanding request. Part of savepoints. */
  static final String INFLIGHT_STATE = RequestStates.INFLIGHT;

  /** The operator's namespaced keyed state. */
  interface Access {
    <S extends State> S state(String namespace, StateDescriptor<S, ?> descriptor) throws Exception;

    void setCurrentKey(String id);
  }

  /** A request found outstanding in restored state, with what waits behind it. */
  record Restored(
      AddressKey key,
      List<Invocation> invocations,
      int backlog,
      long batchesFirst,
      long batchesEnd) {}

  /** The messages waiting for an address: how many, and its ready-batch queue's range. */
  record Waiting(int count, long batchesFirst, long batchesEnd) {}

  private final Access access;
  private final ValueStateDescriptor<PendingBatch> inflight = RequestStates.inflight();
  private final ListStateDescriptor<Invocation> backlog = RequestStates.backlog();
  private final MapStateDescriptor<Long, PendingBatch> batches = RequestStates.batches();

  RequestStore(Access access) {
    this.access = access;
  }

  void appendToBacklog(AddressKey key, Invocation invocation) throws Exception {
    backlogOf(key).add(invocation);
  }

  /**
   * Takes the oldest waiting messages of {@code p}'s address, at most {@code maxBatch} of them
   * ({@code maxBatch} ≤ 0: all), in arrival order, and moves {@code p}'s batch queue on.
   */
  List<Invocation> takeBatch(Pending p, int maxBatch) throws Exception {
    if (p.batchesFirst < p.batchesEnd) {
      MapState<Long, PendingBatch> queue = batchesOf(p.key);
      PendingBatch batch = queue.get(p.batchesFirst);
      queue.remove(p.batchesFirst);
      p.batchesFirst++;
      if (p.batchesFirst == p.batchesEnd) {
        p.batchesFirst = 0;
        p.batchesEnd = 0;
      }
      if (batch == null) {
        throw new IllegalStateException(
            "the batch queue of " + p.key + " has no entry " + (p.batchesFirst - 1));
      }
      return batch.getInvocationsList();
    }
    ListState<Invocation> state = backlogOf(p.key);
    List<Invocation> waiting = new ArrayList<>(Math.max(0, p.backlog));
    Iterable<Invocation> stored = state.get();
    if (stored != null) {
      stored.forEach(waiting::add);
    }
    state.clear();
    if (maxBatch <= 0 || waiting.size() <= maxBatch) {
      return waiting;
    }
    MapState<Long, PendingBatch> queue = batchesOf(p.key);
    for (int from = maxBatch; from < waiting.size(); from += maxBatch) {
      List<Invocation> cut = waiting.subList(from, Math.min(waiting.size(), from + maxBatch));
      queue.put(p.batchesEnd++, PendingBatch.newBuilder().addAllInvocations(cut).build());
    }
    return new ArrayList<>(waiting.subList(0, maxBatch));
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
      Waiting waiting = waiting(key);
      out.add(
          new Restored(
              key,
              batch.getInvocationsList(),
              waiting.count(),
              waiting.batchesFirst(),
              waiting.batchesEnd()));
    }
    return out;
  }

  /**
   * The messages waiting for an address, for the current key: how many, and the range of its queue
   * of ready batches. Reads them all; for restores and operators' requests, not per message.
   */
  Waiting waiting(AddressKey key) throws Exception {
    int count = 0;
    Iterable<Invocation> backlogged = backlogOf(key).get();
    if (backlogged != null) {
      for (Invocation ignored : backlogged) {
        count++;
      }
    }
    long first = Long.MAX_VALUE;
    long last = -1;
    Iterable<Map.Entry<Long, PendingBatch>> queued = batchesOf(key).entries();
    if (queued != null) {
      for (Map.Entry<Long, PendingBatch> e : queued) {
        first = Math.min(first, e.getKey());
        last = Math.max(last, e.getKey());
        count += e.getValue().getInvocationsCount();
      }
    }
    return last < 0 ? new Waiting(count, 0, 0) : new Waiting(count, first, last + 1);
  }

  /**
   * The oldest message waiting for an address whose batch queue is {@code [batchesFirst,
   * batchesEnd)}, for the current key, or null when none waits. Changes nothing.
   */
  Invocation oldestWaiting(AddressKey key, long batchesFirst, long batchesEnd) throws Exception {
    if (batchesFirst < batchesEnd) {
      PendingBatch batch = batchesOf(key).get(batchesFirst);
      if (batch != null && batch.getInvocationsCount() > 0) {
        return batch.getInvocations(0);
      }
    }
    Iterable<Invocation> backlogged = backlogOf(key).get();
    if (backlogged != null) {
      java.util.Iterator<Invocation> it = backlogged.iterator();
      if (it.hasNext()) {
        return it.next();
      }
    }
    return null;
  }

  /**
   * Removes the oldest message waiting for an address, for the current key. With a request
   * outstanding ({@code p}), its batch queue range and count move on; without one ({@code p} null),
   * the range is read from state.
   *
   * @return the message removed, or null when none waits
   */
  Invocation takeOldest(AddressKey key, Pending p) throws Exception {
    long first;
    long end;
    if (p == null) {
      Waiting waiting = waiting(key);
      first = waiting.batchesFirst();
      end = waiting.batchesEnd();
    } else {
      first = p.batchesFirst;
      end = p.batchesEnd;
    }
    if (first < end) {
      MapState<Long, PendingBatch> queue = batchesOf(key);
      PendingBatch batch = queue.get(first);
      if (batch != null && batch.getInvocationsCount() > 0) {
        if (batch.getInvocationsCount() > 1) {
          queue.put(first, batch.toBuilder().removeInvocations(0).build());
        } else {
          queue.remove(first);
          if (p != null) {
            p.batchesFirst++;
            if (p.batchesFirst == p.batchesEnd) {
              p.batchesFirst = 0;
              p.batchesEnd = 0;
            }
          }
        }
        if (p != null) {
          p.backlog--;
        }
        return batch.getInvocations(0);
      }
    }
    ListState<Invocation> state = backlogOf(key);
    List<Invocation> all = new ArrayList<>();
    Iterable<Invocation> stored = state.get();
    if (stored != null) {
      stored.forEach(all::add);
    }
    if (all.isEmpty()) {
      return null;
    }
    Invocation oldest = all.remove(0);
    if (all.isEmpty()) {
      state.clear();
    } else {
      state.update(all);
    }
    if (p != null) {
      p.backlog--;
    }
    return oldest;
  }

  private ValueState<PendingBatch> inflightOf(AddressKey key) throws Exception {
    return access.state(key.function().toString(), inflight);
  }

  private ListState<Invocation> backlogOf(AddressKey key) throws Exception {
    return access.state(key.function().toString(), backlog);
  }

  private MapState<Long, PendingBatch> batchesOf(AddressKey key) throws Exception {
    return access.state(key.function().toString(), batches);
  }
}
