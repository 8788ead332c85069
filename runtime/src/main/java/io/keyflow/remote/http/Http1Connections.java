package io.keyflow.remote.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The ready HTTP/1.1 connections of a pool, idle or busy, and which of them takes the next request.
 * Used on the pool's event loop only.
 */
final class Http1Connections {
  /** Idle connections, the most recently used last. */
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();

  private final List<Connection> busy = new ArrayList<>();

  /** {@code connection} carries no request since {@code nowNanos}: it is idle. */
  void idle(Connection connection, long nowNanos) {
    busy.remove(connection);
    connection.idleSinceNanos = nowNanos;
    idle.addLast(connection);
  }

  /**
   * The connection for the next request, or null if none can take it: with {@code pipelining} above
   * 1 the least busy (not retired) that carries fewer than that many requests, else the most
   * recently used idle connection, which is busy from now on. An idle connection found closed is
   * passed over (its end is handled when its channel reports it).
   */
  Connection pick(int pipelining) {
    if (pipelining > 1) {
      Connection best = null;
      for (Connection candidate : busy) {
        if (!candidate.closed
            && !candidate.retired
            && candidate.load() < pipelining
            && (best == null || candidate.load() < best.load())) {
          best = candidate;
        }
      }
      if (best != null) {
        return best;
      }
    }
    while (!idle.isEmpty()) {
      Connection candidate = idle.pollLast();
      if (!candidate.closed && candidate.channel.isActive()) {
        busy.add(candidate);
        return candidate;
      }
    }
    return null;
  }

  /** The connection idle the longest, if for {@code maxIdleNanos} or more by {@code nowNanos}. */
  Connection idleLongerThan(long maxIdleNanos, long nowNanos) {
    Connection oldest = idle.peekFirst();
    return oldest != null && nowNanos - oldest.idleSinceNanos >= maxIdleNanos ? oldest : null;
  }

  /** {@code connection} closed: it takes no more requests. */
  void remove(Connection connection) {
    idle.remove(connection);
    busy.remove(connection);
  }

  /** Every ready connection, busy ones first. */
  List<Connection> all() {
    List<Connection> all = new ArrayList<>(busy);
    all.addAll(idle);
    return all;
  }
}
