package io.keyflow.remote.http;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** One request on its way: what to send, where, until when, and the response's future. */
final class Exchange {
  final String host;
  final int port;
  final String route;
  final ByteBuffer head;
  final ByteBuffer body;
  final long deadlineNanos;
  final long maxBodyBytes;
  final CompletableFuture<RawResponse> result = new CompletableFuture<>();

  /**
   * How often the request went again on another connection because the one it was on ended before
   * any of its response arrived (a pooled connection gone stale, or one the server closed with
   * pipelined requests on it).
   */
  int resends;

  Exchange(String host, int port, byte[] head, byte[] body, long deadlineNanos, long maxBodyBytes) {
    this.host = host;
    this.port = port;
    this.route = host + ":" + port;
    this.head = ByteBuffer.wrap(head);
    this.body = ByteBuffer.wrap(body);
    this.deadlineNanos = deadlineNanos;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Rewinds the request so it can be written again on another connection. */
  void rewind() {
    head.rewind();
    body.rewind();
  }
}
