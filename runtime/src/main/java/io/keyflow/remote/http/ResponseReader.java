package io.keyflow.remote.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a connection's pipeline: gathers the parts Netty's decoder produces into one
 * {@link Response} for the connection's oldest exchange, and refuses what framing rules or the
 * caller's size limit do not allow. Interim (1xx) responses are skipped. Runs on the pool's event
 * loop.
 */
final class ResponseReader extends ChannelInboundHandlerAdapter {
  private final ConnectionPool pool;
  private final Connection connection;

  private boolean reading;
  private boolean interim;
  private int status;
  private String contentType;
  private boolean keepAlive;
  private byte[] body;
  private int size;
  private long limit;

  ResponseReader(ConnectionPool pool, Connection connection) {
    this.pool = pool;
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      read(msg);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void read(Object msg) {
    if (connection.closed) {
      return;
    }
    Exchange exchange = connection.head();
    if (exchange == null) {
      pool.broken(
          connection, new MalformedResponseException(pool.route(), "bytes no request asked for"));
      return;
    }
    exchange.responseStarted = true;
    if (msg instanceof HttpResponse response) {
      if (failed(response.decoderResult())) {
        return;
      }
      begin(response, exchange);
      if (connection.closed) {
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      if (failed(content.decoderResult())) {
        return;
      }
      if (!reading) {
        pool.broken(
            connection, new MalformedResponseException(pool.route(), "body without a head"));
        return;
      }
      if (!append(content)) {
        return;
      }
      if (content instanceof LastHttpContent) {
        end();
      }
    }
  }

  private boolean failed(DecoderResult result) {
    if (result.isFailure()) {
      pool.broken(connection, new MalformedResponseException(pool.route(), result.cause()));
      return true;
    }
    return false;
  }

  private void begin(HttpResponse response, Exchange exchange) {
    status = response.status().code();
    if (status == 101) {
      pool.broken(
          connection,
          new MalformedResponseException(pool.route(), "101 Switching Protocols without asking"));
      return;
    }
    interim = status >= 100 && status < 200;
    reading = true;
    size = 0;
    if (interim) {
      body = null;
      return;
    }
    limit = exchange.maxBodyBytes;
    String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    contentType = type == null ? "" : type;
    keepAlive = HttpUtil.isKeepAlive(response);
    long length = HttpUtil.getContentLength(response, -1L);
    if (length > limit) {
      pool.broken(connection, new BodyTooLargeException(length, limit));
      return;
    }
    body = new byte[length >= 0 ? (int) length : 256];
  }

  /** Adds a part of the body; false if the exchange ended over it. */
  private boolean append(HttpContent content) {
    int n = content.content().readableBytes();
    if (n == 0 || interim) {
      return true;
    }
    long total = (long) size + n;
    if (total > limit) {
      pool.broken(connection, new BodyTooLargeException(total, limit));
      return false;
    }
    if (total > body.length) {
      byte[] larger = new byte[(int) Math.min(limit, Math.max(total, 2L * body.length))];
      System.arraycopy(body, 0, larger, 0, size);
      body = larger;
    }
    content.content().readBytes(body, size, n);
    size += n;
    return true;
  }

  private void end() {
    reading = false;
    if (interim) {
      interim = false;
      return;
    }
    byte[] complete = body;
    if (size != complete.length) {
      complete = java.util.Arrays.copyOf(body, size);
    }
    body = null;
    pool.answered(connection, new Response(status, contentType, complete), keepAlive);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pool.broken(connection, null);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    pool.broken(connection, cause);
  }
}
