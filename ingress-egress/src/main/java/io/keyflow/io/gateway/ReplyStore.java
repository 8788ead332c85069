package io.keyflow.io.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The replies one gateway instance has seen, for the calls waiting on them, for late fetches and
 * for retried calls. Keeps at most {@code maxKept} replies, each for at most {@code ttlMillis}; the
 * oldest go first.
 *
 * <p>Replies are kept and awaited by {@linkplain InvocationIds#slot slot}: every request with the
 * same target and Idempotency-Key finds the one reply the job produced for that slot, and compares
 * the reply's invocation id with its own to tell whether it was the request that got answered.
 */
final class ReplyStore {

  /** A function's reply to the call with {@code invocationId}. */
  record Reply(String invocationId, String typename, byte[] value, long seenAtMillis) {

    /** Whether this reply answers {@code invocation} rather than another request of its slot. */
    boolean answers(String invocation) {
      return invocationId.equals(invocation);
    }
  }

  private final int maxKept;
  private final long ttlMillis;
  private final LongSupplier clock;
  private final LinkedHashMap<String, Reply> replies = new LinkedHashMap<>();
  private final Map<String, List<CompletableFuture<Reply>>> waiting = new HashMap<>();
  private int waiters;

  ReplyStore(int maxKept, long ttlMillis, LongSupplier clock) {
    this.maxKept = maxKept;
    this.ttlMillis = ttlMillis;
    this.clock = clock;
  }

  /**
   * Records a reply written at {@code writtenAtMillis}; the first reply to an invocation wins.
   * Completes the calls waiting on it.
   */
  void put(String invocationId, String typename, byte[] value, long writtenAtMillis) {
    String slot = InvocationIds.slot(invocationId);
    List<CompletableFuture<Reply>> done;
    Reply reply;
    synchronized (this) {
      expire();
      if (replies.containsKey(slot)) {
        return;
      }
      reply =
          new Reply(invocationId, typename, value, Math.min(writtenAtMillis, clock.getAsLong()));
      replies.put(slot, reply);
      if (replies.size() > maxKept) {
        Iterator<String> oldest = replies.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      done = waiting.remove(slot);
      if (done != null) {
        waiters -= done.size();
      }
    }
    if (done != null) {
      done.forEach(f -> f.complete(reply));
    }
  }

  /**
   * The reply to an invocation's slot, or null when none has been seen (or it was forgotten); see
   * {@link Reply#answers} for whether it answers this invocation.
   */
  synchronized Reply get(String invocationId) {
    expire();
    return replies.get(InvocationIds.slot(invocationId));
  }

  /**
   * A future of the reply to an invocation, already complete when the reply is here. Register
   * before the call is written, so that a quick reply cannot slip past.
   */
  CompletableFuture<Reply> await(String invocationId) {
    CompletableFuture<Reply> future = new CompletableFuture<>();
    synchronized (this) {
      Reply known = get(invocationId);
      if (known != null) {
        future.complete(known);
        return future;
      }
      waiting
          .computeIfAbsent(InvocationIds.slot(invocationId), id -> new ArrayList<>(1))
          .add(future);
      waiters++;
    }
    return future;
  }

  /** Stops waiting with {@code future} (its call timed out or failed). */
  synchronized void forget(String invocationId, CompletableFuture<Reply> future) {
    String slot = InvocationIds.slot(invocationId);
    List<CompletableFuture<Reply>> list = waiting.get(slot);
    if (list != null && list.remove(future)) {
      waiters--;
      if (list.isEmpty()) {
        waiting.remove(slot);
      }
    }
  }

  /** Calls waiting for a reply now. */
  synchronized int waiting() {
    return waiters;
  }

  /** Replies kept now. */
  synchronized int kept() {
    return replies.size();
  }

  private void expire() {
    long oldest = clock.getAsLong() - ttlMillis;
    Iterator<Reply> it = replies.values().iterator();
    while (it.hasNext() && it.next().seenAtMillis() < oldest) {
      it.remove();
    }
  }
}
