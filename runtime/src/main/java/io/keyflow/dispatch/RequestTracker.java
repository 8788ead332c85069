package io.keyflow.dispatch;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-address request state machine of one dispatcher subtask.
 *
 * <p>An address is idle (absent here) or has exactly one request outstanding; messages that arrive
 * meanwhile wait in its backlog and go out together as the next batch when the request completes. A
 * function type's values are unknown until its first request is answered, so while that first
 * request (the probe) is out, other addresses of the type are parked rather than sent, sparing one
 * handshake round trip per address after every start.
 *
 * <p>Not thread-safe: used only on the task thread.
 */
final class RequestTracker {
  private enum Discovery {
    PROBING,
    KNOWN
  }

  private final Map<AddressKey, Pending> pending = new HashMap<>();
  private final Map<TypeName, Discovery> discovery = new HashMap<>();
  private final Map<TypeName, List<Pending>> parked = new HashMap<>();
  private final int maxInFlight;

  /**
   * @param maxInFlight addresses with an outstanding request before input pauses; ≤ 0: no cap
   */
  RequestTracker(int maxInFlight) {
    this.maxInFlight = maxInFlight;
  }

  Pending get(AddressKey key) {
    return pending.get(key);
  }

  /** Starts a request for an idle address. */
  Pending start(AddressKey key, List<Invocation> invocations) {
    Pending p = new Pending(key, invocations);
    Pending previous = pending.put(key, p);
    if (previous != null) {
      pending.put(key, previous);
      throw new IllegalStateException("address " + key + " already has a request outstanding");
    }
    return p;
  }

  /** A message for a busy address: it waits in the backlog. */
  void backlogged(Pending p) {
    p.backlog++;
  }

  /**
   * Decides whether {@code p} may go out now. The first request of a function type goes out as the
   * probe; others wait until the probe is answered.
   *
   * @return true if the caller must not send {@code p} yet
   */
  boolean park(Pending p) {
    Discovery state = discovery.get(p.key.function());
    if (state == null) {
      discovery.put(p.key.function(), Discovery.PROBING);
      p.probe = true;
      return false;
    }
    if (state == Discovery.PROBING && !p.probe) {
      parked.computeIfAbsent(p.key.function(), t -> new ArrayList<>()).add(p);
      return true;
    }
    return false;
  }

  /**
   * The probe of {@code p}'s function type was answered: the type's values are known.
   *
   * @return the requests that were parked meanwhile, to send now
   */
  List<Pending> probeAnswered(Pending p) {
    if (!p.probe) {
      return List.of();
    }
    p.probe = false;
    discovery.put(p.key.function(), Discovery.KNOWN);
    List<Pending> released = parked.remove(p.key.function());
    return released == null ? List.of() : released;
  }

  /**
   * The call of probe {@code p} failed. Its function type's values are still unknown, so the probe
   * role passes to a parked request (one bad address must not hold back its whole type); with none
   * parked, the next request sent becomes the probe.
   *
   * @return the new probe, to send now, or null
   */
  Pending probeFailed(Pending p) {
    if (!p.probe) {
      return null;
    }
    p.probe = false;
    List<Pending> waiting = parked.get(p.key.function());
    if (waiting == null || waiting.isEmpty()) {
      discovery.remove(p.key.function());
      return null;
    }
    waiting.removeIf(parkedRequest -> parkedRequest.skipped);
    if (waiting.isEmpty()) {
      discovery.remove(p.key.function());
      return null;
    }
    Pending next = waiting.remove(0);
    next.probe = true;
    return next;
  }

  /**
   * The request of {@code p} completed. If messages waited, the caller sends them as the next batch
   * through {@link #next}; otherwise the address becomes idle.
   *
   * @return true if the address has a backlog to send
   */
  boolean completed(Pending p) {
    if (p.backlog > 0) {
      return true;
    }
    pending.remove(p.key);
    return false;
  }

  /**
   * The request of {@code p} completed while its address is paused: the address leaves the tracker
   * and its backlog waits in keyed state until it is resumed.
   */
  void pause(Pending p) {
    pending.remove(p.key);
  }

  /**
   * Whether the values of {@code type} are known on this subtask: a call of the type has been
   * answered since the task started.
   */
  boolean valuesKnown(TypeName type) {
    return discovery.get(type) == Discovery.KNOWN;
  }

  /**
   * Replaces a completed request by the next batch of its backlog; the rest of the backlog stays
   * waiting behind the new request.
   */
  Pending next(Pending completed, List<Invocation> batch) {
    Pending p = new Pending(completed.key, batch);
    p.backlog = Math.max(0, completed.backlog - batch.size());
    p.batchesFirst = completed.batchesFirst;
    p.batchesEnd = completed.batchesEnd;
    pending.put(completed.key, p);
    return p;
  }

  /** Re-creates a request that was outstanding at the checkpoint being restored. */
  Pending restore(
      AddressKey key,
      List<Invocation> invocations,
      int backlog,
      long batchesFirst,
      long batchesEnd) {
    Pending p = start(key, invocations);
    p.backlog = backlog;
    p.batchesFirst = batchesFirst;
    p.batchesEnd = batchesEnd;
    p.persisted = true;
    return p;
  }

  /**
   * Whether input must pause: too many addresses have a request outstanding. One address's backlog
   * never pauses input; it grows in keyed state and goes out in batches.
   */
  boolean mustWait() {
    return maxInFlight > 0 && pending.size() >= maxInFlight;
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  int size() {
    return pending.size();
  }

  Collection<Pending> all() {
    return pending.values();
  }
}
