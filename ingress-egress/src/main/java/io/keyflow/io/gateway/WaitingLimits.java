package io.keyflow.io.gateway;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two bounds on what waits at one gateway instance: calls waiting for their reply, and fetches
 * ({@code GET /v1/invocations/{id}?wait=}) waiting for one. They are counted apart, so that parked
 * fetches can never take the room calls need, nor calls the room of fetches.
 */
final class WaitingLimits {
  private final int maxCalls;
  private final int maxFetches;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger fetches = new AtomicInteger();

  WaitingLimits(int maxCalls, int maxFetches) {
    this.maxCalls = maxCalls;
    this.maxFetches = maxFetches;
  }

  /** Whether a new call would be refused now; a cheap check before its body is read. */
  boolean callsFull() {
    return calls.get() >= maxCalls;
  }

  /** Takes room for a waiting call; false when {@code maxCalls} already wait. */
  boolean tryCall() {
    return take(calls, maxCalls);
  }

  void callDone() {
    calls.decrementAndGet();
  }

  /** Takes room for a waiting fetch; false when {@code maxFetches} already wait. */
  boolean tryFetch() {
    return take(fetches, maxFetches);
  }

  void fetchDone() {
    fetches.decrementAndGet();
  }

  int waitingCalls() {
    return calls.get();
  }

  int waitingFetches() {
    return fetches.get();
  }

  int maxCalls() {
    return maxCalls;
  }

  int maxFetches() {
    return maxFetches;
  }

  private static boolean take(AtomicInteger count, int max) {
    if (count.incrementAndGet() > max) {
      count.decrementAndGet();
      return false;
    }
    return true;
  }
}
