package io.keyflow.dispatch;

import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import java.util.List;

/**
 * The request an address has outstanding, and how many messages wait behind it. Lives in memory on
 * the task thread; a checkpoint copies its invocations into keyed state.
 */
final class Pending {
  final AddressKey key;
  final List<Invocation> invocations;
  int backlog;

  /** Whether the invocations are in keyed state already (a checkpoint saw this request). */
  boolean persisted;

  /** Whether this is the first request of its function type, which learns the declared values. */
  boolean probe;

  /** Calls for this batch that failed while the endpoint served other addresses. */
  int failedAttempts;

  /** When the current call was sent ({@link System#nanoTime()}). */
  long sentAtNanos;

  Pending(AddressKey key, List<Invocation> invocations) {
    this.key = key;
    this.invocations = List.copyOf(invocations);
  }

  @Override
  public String toString() {
    return key + " (" + invocations.size() + " invocations, " + backlog + " waiting)";
  }
}
