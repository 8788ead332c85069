package io.keyflow.remote.http;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * One HTTP/2 connection of an {@link Http2Pool} and how many of its streams carry calls. Used only
 * on its pool's event loop.
 */
final class Http2Connection {
  final Channel channel;

  /** Through the TLS handshake (with {@code h2} agreed) and the server's first SETTINGS. */
  boolean ready;

  /** Closed or closing; it takes no more streams. */
  boolean closed;

  /** The server sent GOAWAY: streams it already took end, no new one starts. */
  boolean goingAway;

  /** Calls on their streams now. */
  int active;

  /** The most streams the server lets this client open at once, capped by the pool. */
  int maxStreams;

  /** Whether a response ended on it before: a call that finds it closed may go again. */
  boolean reused;

  long idleSinceNanos;

  /** When the last frame arrived ({@link System#nanoTime()}). */
  long lastReadNanos;

  /** The TLS engine of an {@code https} connection, else null. */
  SSLEngine engine;

  Http2Connection(Channel channel, int maxStreams) {
    this.channel = channel;
    this.maxStreams = maxStreams;
  }

  /** Ready and open, not going away, with a stream to spare. */
  boolean canTake() {
    return ready && !closed && !goingAway && active < maxStreams;
  }

  /** Its streams and state, for a description of its pool. */
  String describe(long nowNanos) {
    return "["
        + active
        + "/"
        + maxStreams
        + " streams"
        + (goingAway ? ", going away" : "")
        + (closed ? ", closed" : "")
        + (channel.isActive() ? "" : ", inactive")
        + ", last read "
        + TimeUnit.NANOSECONDS.toMillis(nowNanos - lastReadNanos)
        + " ms ago]";
  }
}
