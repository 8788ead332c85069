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

  /** Messages waiting for this address, in its batch queue and its backlog together. */
  int backlog;

  /**
   * The address's queue of ready batches in keyed state ({@link RequestStore}): entries {@code
   * [batchesFirst, batchesEnd)} hold the oldest waiting messages, cut to the batch limit.
   */
  long batchesFirst;

  long batchesEnd;

  /** Whether the invocations are in keyed state already (a checkpoint saw this request). */
  boolean persisted;

  /** Whether this is the first request of its function type, which learns the declared values. */
  boolean probe;

  /** Calls for this batch that failed while the endpoint served other addresses. */
  int failedAttempts;

  /** When the current call was sent ({@link System#nanoTime()}). */
  long sentAtNanos;

  /**
   * Whether the request is off the wire while it waits: for its function type's first call, for a
   * slot under the endpoint's concurrency cap, or for a retry.
   */
  boolean blocked;

  /** Whether the request waits for its endpoint to answer again (an outage), off the wire. */
  boolean held;

  /** Whether the current call holds a slot of its endpoint's concurrency cap. */
  boolean holdsSlot;

  /**
   * Whether an operator skipped this request ({@link AddressControl}): it must not go on the wire
   * again, wherever it still waits (a slot queue, the parked requests of its function type).
   */
  boolean skipped;

  /** Calls made for this batch on this subtask, for inspection. */
  int calls;

  /** Why the latest call failed, or null, for inspection. */
  String lastError;

  /** When this subtask started (or restored) the request, in epoch milliseconds. */
  final long sinceMillis = System.currentTimeMillis();

  /** The traces of the batch's messages; null when none belongs to a trace or tracing is off. */
  io.keyflow.tracing.BatchTrace trace;

  Pending(AddressKey key, List<Invocation> invocations) {
    this.key = key;
    this.invocations = List.copyOf(invocations);
  }

  @Override
  public String toString() {
    return key + " (" + invocations.size() + " invocations, " + backlog + " waiting)";
  }
}
