package io.keyflow.remote.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One call on its own HTTP/2 stream: writes the request, gathers the response into one {@link
 * Response}, and refuses what HTTP/2 or the caller's size limit do not allow. Whatever ends the
 * call (its response, a reset, a malformed response, a timeout, the connection's end) ends only
 * this stream, once. Runs on the pool's event loop.
 */
final class Http2Call extends ChannelInboundHandlerAdapter {
  private final Http2Pool pool;
  private final Http2Connection connection;
  private final Exchange exchange;
  private final long startedNanos;

  private Http2StreamChannel stream;
  private boolean done;
  private boolean headed;
  private int status;
  private String contentType;
  private byte[] body;
  private int size;

  Http2Call(Http2Pool pool, Http2Connection connection, Exchange exchange, long startedNanos) {
    this.pool = pool;
    this.connection = connection;
    this.exchange = exchange;
    this.startedNanos = startedNanos;
  }

  /** Sends the request on its newly opened stream. */
  void write(Http2StreamChannel opened, String scheme) {
    stream = opened;
    if (done) {
      opened.close();
      return;
    }
    ChannelFutureListener written =
        future -> {
          if (!future.isSuccess()) {
            ended(
                new ConnectionClosedException(
                    "writing the request to " + pool.route() + " failed: " + future.cause(),
                    future.cause()),
                true);
          }
        };
    ByteBuf content = exchange.content();
    if (!content.isReadable()) {
      content.release();
      opened
          .writeAndFlush(new DefaultHttp2HeadersFrame(exchange.http2Headers(scheme), true))
          .addListener(written);
      return;
    }
    opened
        .write(new DefaultHttp2HeadersFrame(exchange.http2Headers(scheme), false))
        .addListener(written);
    opened.writeAndFlush(new DefaultHttp2DataFrame(content, true)).addListener(written);
  }

  private String endedMessage() {
    return "the HTTP/2 stream to "
        + pool.route()
        + " closed before the response "
        + (exchange.responseStarted ? "was complete" : "began");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      connection.lastReadNanos = System.nanoTime();
      if (!done) {
        read(msg);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void read(Object msg) {
    if (msg instanceof Http2HeadersFrame headers) {
      exchange.responseStarted = true;
      if (!headed) {
        head(headers.headers(), headers.isEndStream());
      } else if (!headers.isEndStream()) {
        malformed("a second HEADERS frame (trailers) that does not end the stream");
      } else {
        complete();
      }
    } else if (msg instanceof Http2DataFrame data) {
      exchange.responseStarted = true;
      if (!headed) {
        malformed("DATA before the response's HEADERS");
        return;
      }
      if (append(data.content()) && data.isEndStream()) {
        complete();
      }
    }
  }

  /** The server reset the stream: a refused one goes again, any other fails the call. */
  private void reset(Http2ResetFrame reset) {
    long code = reset.errorCode();
    ended(
        new ConnectionClosedException(
            pool.route() + " reset the HTTP/2 stream (" + errorName(code) + ")", null),
        code == Http2Error.REFUSED_STREAM.code());
  }

  private void head(Http2Headers headers, boolean endStream) {
    CharSequence code = headers.status();
    int parsed;
    try {
      parsed = code == null ? -1 : Integer.parseInt(code.toString());
    } catch (NumberFormatException e) {
      parsed = -1;
    }
    if (parsed < 100 || parsed > 999) {
      malformed("a response without a valid :status (" + code + ")");
      return;
    }
    if (parsed < 200) {
      // Interim (1xx) responses are skipped; they may not end the stream.
      if (endStream || parsed == 101) {
        malformed("an interim response " + parsed + " that ends the stream or switches protocols");
      }
      return;
    }
    if (headers.size() > StrictHeaders.MAX_FIELDS) {
      malformed("more than " + StrictHeaders.MAX_FIELDS + " header fields");
      return;
    }
    headed = true;
    status = parsed;
    CharSequence type = headers.get(HttpHeaderNames.CONTENT_TYPE);
    contentType = type == null ? "" : type.toString();
    long length = headers.getLong(HttpHeaderNames.CONTENT_LENGTH, -1L);
    if (length > exchange.maxBodyBytes) {
      ended(new BodyTooLargeException(length, exchange.maxBodyBytes), false);
      return;
    }
    body = new byte[length >= 0 ? (int) length : 256];
    if (endStream) {
      complete();
    }
  }

  /** Adds a part of the body; false if the call ended over it. */
  private boolean append(ByteBuf content) {
    int n = content.readableBytes();
    if (n == 0) {
      return true;
    }
    long total = (long) size + n;
    if (total > exchange.maxBodyBytes) {
      ended(new BodyTooLargeException(total, exchange.maxBodyBytes), false);
      return false;
    }
    if (total > body.length) {
      long larger = Math.min(exchange.maxBodyBytes, Math.max(total, 2L * body.length));
      body = Arrays.copyOf(body, (int) larger);
    }
    content.readBytes(body, size, n);
    size += n;
    return true;
  }

  private void complete() {
    if (done) {
      return;
    }
    done = true;
    byte[] complete = size == body.length ? body : Arrays.copyOf(body, size);
    body = null;
    pool.finished(connection, exchange, new Response(status, contentType, complete), null, false);
    closeStream();
  }

  private void malformed(String what) {
    ended(new MalformedResponseException(pool.route(), what), false);
  }

  /**
   * Ends the call with {@code error}; it goes again if {@code resend} and nothing of its response
   * arrived. Closing an open stream resets it, which tells the server to stop.
   */
  void ended(IOException error, boolean resend) {
    if (done) {
      return;
    }
    done = true;
    body = null;
    pool.finished(connection, exchange, null, error, resend && !pool.isClosed());
    closeStream();
  }

  /** Could not open the stream: the call goes again on another. */
  void fail(IOException error, boolean resend) {
    ended(error, resend);
  }

  /** The call's time is up: it fails; its connection, if silent since, is closed. */
  void timedOut() {
    if (done) {
      return;
    }
    ended(
        new CallTimeoutException(
            "request to "
                + pool.route()
                + " timed out after "
                + TimeUnit.NANOSECONDS.toMillis(exchange.timeoutNanos)
                + " ms"
                + (exchange.responseStarted ? " (the response began but did not end)" : "")),
        false);
    pool.timedOut(connection, startedNanos);
  }

  private void closeStream() {
    if (stream != null && stream.isOpen()) {
      stream.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    try {
      // Netty hands a stream its RST_STREAM and the connection's GOAWAY as events.
      if (event instanceof Http2ResetFrame reset) {
        reset(reset);
      } else if (event instanceof Http2GoAwayFrame) {
        // The server will not process this stream: it goes again on another connection. The
        // connection hears of the GOAWAY only after its streams do, so it is marked here, or the
        // call would be sent again on it.
        connection.goingAway = true;
        ended(
            new ConnectionClosedException(
                pool.route() + " is going away and did not take the stream", null),
            true);
      }
    } finally {
      ReferenceCountUtil.release(event);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ended(new ConnectionClosedException(endedMessage(), null), true);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ended(new MalformedResponseException(pool.route(), cause), false);
  }

  private static String errorName(long code) {
    Http2Error error = Http2Error.valueOf(code);
    return error == null ? "error code " + code : error.name();
  }
}
