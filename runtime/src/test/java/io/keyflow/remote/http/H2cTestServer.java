package io.keyflow.remote.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cleartext HTTP/2 server (h2c with prior knowledge) for tests, on Netty. The request's path says
 * what the stream gets: {@code /echo} the body reversed, {@code /reset} a reset stream, {@code
 * /big} a response whose Content-Length is 8 MiB, {@code /hang} nothing, {@code /refuse-once} a
 * refused stream the first time, {@code /nostatus} a response without {@code :status}.
 */
final class H2cTestServer implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  H2cTestServer() throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    connections.incrementAndGet();
                    channel
                        .pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forServer()
                                .initialSettings(
                                    Http2Settings.defaultSettings().maxConcurrentStreams(1000))
                                .build(),
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Http2StreamChannel>() {
                                  @Override
                                  protected void initChannel(Http2StreamChannel stream) {
                                    streams.incrementAndGet();
                                    stream.pipeline().addLast(new Answer());
                                  }
                                }));
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  URI url(String path) {
    return URI.create(
        "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + path);
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Streams opened by clients so far. */
  int streams() {
    return streams.get();
  }

  @Override
  public void close() {
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Reads one request and answers as its path says. */
  private final class Answer extends ChannelInboundHandlerAdapter {
    private String path;
    private final ByteBuf body = Unpooled.buffer();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        boolean end = false;
        if (msg instanceof Http2HeadersFrame headers) {
          path = headers.headers().path().toString();
          end = headers.isEndStream();
        } else if (msg instanceof Http2DataFrame data) {
          body.writeBytes(data.content());
          end = data.isEndStream();
        }
        if (end) {
          answer(ctx);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void answer(ChannelHandlerContext ctx) {
      switch (path) {
        case "/echo" -> {
          byte[] in = new byte[body.readableBytes()];
          body.readBytes(in);
          byte[] out = new byte[in.length];
          for (int i = 0; i < in.length; i++) {
            out[i] = in[in.length - 1 - i];
          }
          Http2Headers headers =
              new DefaultHttp2Headers()
                  .status("200")
                  .add("content-type", "application/octet-stream")
                  .addInt("content-length", out.length);
          ctx.write(new DefaultHttp2HeadersFrame(headers, false));
          ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(out), true));
        }
        case "/reset" -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
        case "/refuse-once" -> {
          if (refused.getAndIncrement() == 0) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
          } else {
            ctx.writeAndFlush(
                new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), true));
          }
        }
        case "/big" ->
            ctx.writeAndFlush(
                new DefaultHttp2HeadersFrame(
                    new DefaultHttp2Headers().status("200").addInt("content-length", 8 << 20),
                    false));
        case "/nostatus" ->
            ctx.writeAndFlush(
                new DefaultHttp2HeadersFrame(
                    new DefaultHttp2Headers(false).add("content-type", "text/plain"), true));
        default -> {
          // "/hang": no answer.
        }
      }
      body.release();
    }
  }
}
