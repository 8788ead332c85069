package io.keyflow.remote.http;

import java.util.ArrayList;
import java.util.List;

/**
 * Which busy connections are past their deadline. It keeps the earliest deadline noted and walks
 * the busy connections only once that has passed, so with the usual long call timeouts they are
 * rarely walked at all. Used by one thread.
 */
final class DeadlineWatch {
  /** No busy connection's deadline is before this. */
  private long earliestNanos = Long.MAX_VALUE;

  /** A connection became busy until {@code deadlineNanos} (from {@link System#nanoTime()}). */
  void note(long deadlineNanos) {
    if (earliestNanos == Long.MAX_VALUE || deadlineNanos - earliestNanos < 0) {
      earliestNanos = deadlineNanos;
    }
  }

  /** The connections among {@code busy} whose deadline is at or before {@code nowNanos}. */
  List<Connection> expired(long nowNanos, Iterable<Connection> busy) {
    if (earliestNanos == Long.MAX_VALUE || nowNanos - earliestNanos < 0) {
      return List.of();
    }
    List<Connection> expired = new ArrayList<>();
    long earliest = Long.MAX_VALUE;
    for (Connection connection : busy) {
      long deadline = connection.deadlineNanos();
      if (nowNanos - deadline >= 0) {
        expired.add(connection);
      } else if (earliest == Long.MAX_VALUE || deadline - earliest < 0) {
        earliest = deadline;
      }
    }
    earliestNanos = earliest;
    return expired;
  }
}
