package io.keyflow.remote.http;

import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * One pooled HTTP/1.1 connection and the exchanges it carries, oldest first: one at a time, or
 * several pipelined. Used only on its pool's event loop.
 */
final class Connection {
  final Channel channel;

  /** Connected (and, over TLS, through the handshake): requests may be written. */
  boolean ready;

  /** Closed or closing; it takes no more requests. */
  boolean closed;

  /**
   * A write on it failed: it takes no more requests, and closes once the requests written before
   * the failed one are answered.
   */
  boolean retired;

  /**
   * Whether a response was read on it before: it may have gone stale in the pool, and the server
   * keeps connections alive, so requests may be pipelined on it.
   */
  boolean reused;

  long idleSinceNanos;

  /** The TLS engine of an {@code https} connection, else null. */
  SSLEngine engine;

  private final ArrayDeque<Exchange> inFlight = new ArrayDeque<>();

  Connection(Channel channel) {
    this.channel = channel;
  }

  void add(Exchange exchange) {
    inFlight.addLast(exchange);
  }

  /** The exchange whose response is read next, or null when idle. */
  Exchange head() {
    return inFlight.peekFirst();
  }

  Exchange finishHead() {
    return inFlight.pollFirst();
  }

  int load() {
    return inFlight.size();
  }

  boolean isIdle() {
    return inFlight.isEmpty();
  }

  /** Takes {@code first} and every exchange after it off the connection, oldest first. */
  List<Exchange> releaseFrom(Exchange first) {
    List<Exchange> released = new ArrayList<>();
    boolean found = false;
    for (Exchange exchange : inFlight) {
      found |= exchange == first;
      if (found) {
        released.add(exchange);
      }
    }
    inFlight.removeAll(released);
    return released;
  }

  /** Takes every exchange off the connection, oldest first. */
  List<Exchange> releaseAll() {
    List<Exchange> all = new ArrayList<>(inFlight);
    inFlight.clear();
    return all;
  }
}
