package io.keyflow.dispatch;

import io.keyflow.module.HttpEndpoint;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The {@code maxConcurrentRequests} cap of each endpoint on one dispatcher subtask. A request over
 * the cap waits here, off the wire and without its state read, while messages for its address
 * gather in the backlog; it goes out, in arrival order, when a call to the endpoint ends. Input and
 * other endpoints carry on meanwhile.
 *
 * <p>Not thread-safe: used only on the task thread.
 */
final class EndpointSlots {
  private static final class Slots {
    int inUse;
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  }

  // By identity: an endpoint record's hashCode walks its whole configuration.
  private final Map<HttpEndpoint, Slots> byEndpoint = new IdentityHashMap<>();

  /**
   * Takes a slot of {@code endpoint} for {@code p}'s call, or queues {@code p} when none is free.
   *
   * @return true if {@code p} may go on the wire now
   */
  boolean acquire(Pending p, HttpEndpoint endpoint) {
    if (!endpoint.concurrencyCapped() || p.holdsSlot) {
      return true;
    }
    Slots slots = byEndpoint.computeIfAbsent(endpoint, e -> new Slots());
    if (slots.inUse < endpoint.maxConcurrentRequests()) {
      slots.inUse++;
      p.holdsSlot = true;
      return true;
    }
    slots.waiting.add(p);
    return false;
  }

  /**
   * The call of {@code p} ended: frees its slot.
   *
   * @return the request that waited longest for a slot of the endpoint, to send now, or null
   */
  Pending release(Pending p, HttpEndpoint endpoint) {
    if (!p.holdsSlot) {
      return null;
    }
    p.holdsSlot = false;
    Slots slots = byEndpoint.get(endpoint);
    slots.inUse--;
    Pending next = slots.waiting.poll();
    while (next != null && next.skipped) {
      next = slots.waiting.poll();
    }
    return next;
  }

  /** Calls on the wire to {@code endpoint} from this subtask. */
  int inUse(HttpEndpoint endpoint) {
    Slots slots = byEndpoint.get(endpoint);
    return slots == null ? 0 : slots.inUse;
  }
}
