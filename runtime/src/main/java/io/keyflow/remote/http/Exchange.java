package io.keyflow.remote.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Deque;

/**
 * One POST on its way: what to send, how long it may take once on a connection, the largest body
 * accepted, and the response's future. Fields other than {@link #result} belong to the event loop
 * of its pool.
 */
final class Exchange {
  private static final byte[] CONTENT_LENGTH =
      "content-length: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

  private final String uri;
  private final HttpHeaders headers;
  private final byte[] body;
  final long timeoutNanos;
  final long maxBodyBytes;
  final ResponseFuture result = new ResponseFuture();

  /** How often the request went again because its connection ended before any of its response. */
  int resends;

  /** Whether any byte of the response arrived. */
  boolean responseStarted;

  ScheduledFuture<?> timeout;

  /** When the exchange times out ({@link System#nanoTime()}), fixed when it is first sent. */
  long deadlineNanos;

  Exchange(String uri, HttpHeaders headers, byte[] body, long timeoutNanos, long maxBodyBytes) {
    this.uri = uri;
    this.headers = headers;
    this.body = body;
    this.timeoutNanos = timeoutNanos;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * The exchange goes onto a connection at {@code nowNanos}: the first time, its timeout starts.
   */
  void start(long nowNanos) {
    if (result.startedNanos() == 0) {
      result.started(nowNanos);
      deadlineNanos = nowNanos + timeoutNanos;
    }
  }

  /** Fails every exchange of {@code exchanges}, oldest first, and empties it. */
  static void failAll(Deque<Exchange> exchanges, IOException error) {
    Exchange next;
    while ((next = exchanges.pollFirst()) != null) {
      next.result.completeExceptionally(error);
    }
  }

  /**
   * The HTTP/1.1 request's bytes, its head taken from {@code heads}: a fresh buffer each time, as a
   * written one is released. Written as bytes, not through Netty's request encoder, which copied
   * and encoded the same headers again for every request.
   */
  ByteBuf request(ByteBufAllocator alloc, RequestHeads heads) {
    byte[] head = heads.head(uri, headers);
    byte[] length = Integer.toString(body.length).getBytes(StandardCharsets.US_ASCII);
    ByteBuf out =
        alloc.ioBuffer(head.length + CONTENT_LENGTH.length + length.length + 4 + body.length);
    out.writeBytes(head).writeBytes(CONTENT_LENGTH).writeBytes(length).writeBytes(END_OF_HEAD);
    out.writeBytes(body);
    return out;
  }

  /**
   * The request's HTTP/2 header block: the pseudo-headers ({@code :authority} from {@code Host}),
   * then the headers HTTP/2 allows (connection-specific ones are dropped), names in lower case.
   */
  Http2Headers http2Headers(String scheme) {
    Http2Headers out = new DefaultHttp2Headers();
    out.method(HttpMethod.POST.asciiName()).path(uri).scheme(scheme);
    String host = headers.get(HttpHeaderNames.HOST);
    if (host != null) {
      out.authority(host);
    }
    HttpConversionUtil.toHttp2Headers(headers, out);
    out.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return out;
  }

  /** The request's body, for HTTP/2: a fresh buffer each time, as a written one is released. */
  ByteBuf content() {
    return Unpooled.wrappedBuffer(body);
  }

  /** The response is read or the exchange failed: its timeout no longer applies. */
  void stopTimer() {
    if (timeout != null) {
      timeout.cancel(false);
      timeout = null;
    }
  }
}
