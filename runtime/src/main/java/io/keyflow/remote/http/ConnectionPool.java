package io.keyflow.remote.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The connections of an {@link Http1Client}, per route (host and port): idle ones, most recently
 * used last, and busy ones that may take pipelined requests. Used by the client's thread only.
 */
final class ConnectionPool {
  private final int maxPipelined;
  private final Map<String, ArrayDeque<Connection>> idle = new HashMap<>();
  private final Set<Connection> busy = new HashSet<>();
  private final Map<String, ArrayList<Connection>> busyByRoute = new HashMap<>();
  private final Set<String> noPipelining = new HashSet<>();

  /**
   * @param maxPipelined requests one connection may carry at once
   */
  ConnectionPool(int maxPipelined) {
    this.maxPipelined = maxPipelined;
  }

  /**
   * Where the next request for {@code route} goes without a connection of its own: a busy
   * connection that takes pipelined requests (preferring one whose queued requests are not written
   * yet, so they go in one write), else the most recently used idle one; null if none. Pipelining
   * comes first, so that idle connections age out and a few busy ones carry the load.
   */
  Connection take(String route) {
    Connection connection = maxPipelined > 1 ? leastLoaded(route) : null;
    ArrayDeque<Connection> pool = idle.get(route);
    while (pool != null && connection == null && !pool.isEmpty()) {
      Connection candidate = pool.pollLast();
      if (candidate.channel.isOpen()) {
        connection = candidate;
      }
    }
    return connection;
  }

  private Connection leastLoaded(String route) {
    if (noPipelining.contains(route)) {
      return null;
    }
    ArrayList<Connection> candidates = busyByRoute.get(route);
    if (candidates == null) {
      return null;
    }
    Connection best = null;
    for (Connection candidate : candidates) {
      if (candidate.load() >= maxPipelined || candidate.writeFailed != null) {
        continue;
      }
      if (candidate.dirty) {
        return candidate;
      }
      if (best == null || candidate.load() < best.load()) {
        best = candidate;
      }
    }
    return best;
  }

  /** The connection is about to carry its first exchange. */
  void busy(Connection connection) {
    if (busy.add(connection)) {
      busyByRoute.computeIfAbsent(connection.route, r -> new ArrayList<>()).add(connection);
    }
  }

  /** The connection carries nothing any more, or is closing. */
  void notBusy(Connection connection) {
    if (busy.remove(connection)) {
      ArrayList<Connection> same = busyByRoute.get(connection.route);
      if (same != null) {
        same.remove(connection);
      }
    }
  }

  /** Puts a connection that finished its exchanges back, most recently used last. */
  void idle(Connection connection, long now) {
    notBusy(connection);
    connection.idleSinceNanos = now;
    idle.computeIfAbsent(connection.route, r -> new ArrayDeque<>()).addLast(connection);
  }

  /** Closes an idle connection the server closed (or that misbehaved) and forgets it. */
  void dropIdle(Connection connection) {
    connection.close();
    ArrayDeque<Connection> pool = idle.get(connection.route);
    if (pool != null) {
      pool.remove(connection);
    }
  }

  /** Closes the connections idle for {@code idleTimeoutNanos} or longer. */
  void closeIdle(long now, long idleTimeoutNanos) {
    for (ArrayDeque<Connection> pool : idle.values()) {
      Iterator<Connection> oldestFirst = pool.iterator();
      while (oldestFirst.hasNext()) {
        Connection connection = oldestFirst.next();
        if (now - connection.idleSinceNanos < idleTimeoutNanos) {
          break;
        }
        oldestFirst.remove();
        connection.close();
      }
    }
  }

  /** Requests to {@code route} are no longer pipelined; true the first time. */
  boolean stopPipelining(String route) {
    return noPipelining.add(route);
  }

  /** The busy connections, for timeouts; do not change the pool while walking it. */
  Set<Connection> busyConnections() {
    return busy;
  }

  /** Closes every connection; returns the busy ones, whose exchanges the caller fails. */
  List<Connection> closeAll() {
    List<Connection> wasBusy = new ArrayList<>(busy);
    wasBusy.forEach(Connection::close);
    busy.clear();
    busyByRoute.clear();
    idle.values().forEach(pool -> pool.forEach(Connection::close));
    idle.clear();
    return wasBusy;
  }
}
