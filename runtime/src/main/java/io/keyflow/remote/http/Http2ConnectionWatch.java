package io.keyflow.remote.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an HTTP/2 connection's pipeline: the frames of the connection itself (its
 * streams' frames go to their {@link Http2Call}s), its silences and its end, reported to the pool.
 * Runs on the pool's event loop.
 */
final class Http2ConnectionWatch extends ChannelInboundHandlerAdapter {
  private final Http2Pool pool;
  private final Http2Connection connection;

  Http2ConnectionWatch(Http2Pool pool, Http2Connection connection) {
    this.pool = pool;
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      connection.lastReadNanos = System.nanoTime();
      if (msg instanceof Http2SettingsFrame settings) {
        pool.settings(connection, settings.settings());
      } else if (msg instanceof Http2GoAwayFrame) {
        pool.goingAway(connection);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      pool.silent(connection);
    } else {
      ctx.fireUserEventTriggered(event);
    }
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
