package io.keyflow.remote.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One pooled HTTP/1.1 connection and the exchanges it carries, in the order they were sent: one at
 * a time, or several pipelined (sent before the responses to earlier ones arrived). Used by one
 * thread.
 */
final class Connection {
  final String route;
  final SocketChannel channel;
  SelectionKey key;
  boolean connected;
  long connectDeadlineNanos;

  /**
   * Whether a response was read on this connection before: it may have gone stale in the pool, and
   * the server keeps connections alive, so requests may be pipelined on it.
   */
  boolean reused;

  long idleSinceNanos;

  /** Sent or being sent, oldest first; the parser reads the response to the oldest. */
  private final ArrayDeque<Exchange> inFlight = new ArrayDeque<>();

  /** The tail of {@link #inFlight} whose requests are not completely written yet. */
  private final ArrayDeque<Exchange> unwritten = new ArrayDeque<>();

  ResponseParser parser;

  /** Whether requests were queued on it since the client last wrote. */
  boolean dirty;

  /** Why writing failed while responses could still be read; no more requests are written. */
  IOException writeFailed;

  Connection(String route, SocketChannel channel) {
    this.route = route;
    this.channel = channel;
  }

  /** Queues {@code next} behind the exchanges already on this connection. */
  void begin(Exchange next) {
    next.rewind();
    if (inFlight.isEmpty()) {
      parser = new ResponseParser(next.maxBodyBytes);
    }
    inFlight.addLast(next);
    unwritten.addLast(next);
  }

  /** Exchanges on this connection. */
  int load() {
    return inFlight.size();
  }

  boolean isIdle() {
    return inFlight.isEmpty();
  }

  /** The exchange whose response is read next, or null when idle. */
  Exchange head() {
    return inFlight.peekFirst();
  }

  /**
   * Writes what the socket takes now: every queued request in one gathering write.
   *
   * @return true once every queued request is written
   */
  boolean write() throws IOException {
    if (unwritten.isEmpty()) {
      return true;
    }
    ByteBuffer[] out = new ByteBuffer[unwritten.size() * 2];
    int i = 0;
    for (Exchange exchange : unwritten) {
      out[i++] = exchange.head;
      out[i++] = exchange.body;
    }
    channel.write(out);
    while (!unwritten.isEmpty()) {
      Exchange first = unwritten.peekFirst();
      if (first.head.hasRemaining() || first.body.hasRemaining()) {
        return false;
      }
      unwritten.pollFirst();
    }
    return true;
  }

  /** When the earliest exchange on it times out, or sooner if still connecting. */
  long deadlineNanos() {
    long deadline = Long.MAX_VALUE;
    for (Exchange exchange : inFlight) {
      if (deadline == Long.MAX_VALUE || exchange.deadlineNanos - deadline < 0) {
        deadline = exchange.deadlineNanos;
      }
    }
    if (!connected && (deadline == Long.MAX_VALUE || connectDeadlineNanos - deadline < 0)) {
      deadline = connectDeadlineNanos;
    }
    return deadline;
  }

  /** Ends the oldest exchange, whose response was read; the parser moves to the next one. */
  Exchange finishHead() {
    Exchange done = inFlight.pollFirst();
    unwritten.remove(done);
    Exchange next = inFlight.peekFirst();
    parser = next == null ? null : new ResponseParser(next.maxBodyBytes);
    return done;
  }

  /** Takes every exchange off the connection, oldest first (it is closing). */
  List<Exchange> releaseAll() {
    List<Exchange> all = new ArrayList<>(inFlight);
    inFlight.clear();
    unwritten.clear();
    parser = null;
    return all;
  }

  void close() {
    if (key != null) {
      key.cancel();
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing is best effort; the socket is gone either way.
    }
  }
}
