package io.keyflow.remote.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** One pooled HTTP/1.1 connection and the exchange it carries, if any. Used by one thread. */
final class Connection {
  final String route;
  final SocketChannel channel;
  SelectionKey key;
  boolean connected;
  long connectDeadlineNanos;

  /** Whether a response was read on this connection before: it may have gone stale in the pool. */
  boolean reused;

  long idleSinceNanos;
  Exchange exchange;
  ResponseParser parser;
  private ByteBuffer[] out;

  Connection(String route, SocketChannel channel) {
    this.route = route;
    this.channel = channel;
  }

  void begin(Exchange next) {
    exchange = next;
    parser = new ResponseParser(next.maxBodyBytes);
    next.rewind();
    out = new ByteBuffer[] {next.head, next.body};
  }

  /**
   * Writes what the socket takes now.
   *
   * @return true once the whole request is written
   */
  boolean write() throws IOException {
    channel.write(out);
    return !out[0].hasRemaining() && !out[1].hasRemaining();
  }

  /** When the exchange it carries times out: its own deadline, or sooner if still connecting. */
  long deadlineNanos() {
    return connected
        ? exchange.deadlineNanos
        : Math.min(exchange.deadlineNanos, connectDeadlineNanos);
  }

  /** Leaves the exchange; the connection is idle again. */
  Exchange release() {
    Exchange done = exchange;
    exchange = null;
    parser = null;
    out = null;
    return done;
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
