package io.keyflow.remote.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cleartext HTTP/2 server (h2c with prior knowledge) for tests, on Netty. The request's path says
 * what the stream gets: {@code /echo} the body reversed, {@code /reset} a reset stream, {@code
 * /big} a response whose Content-Length is 8 MiB, {@code /hang} nothing, {@code /refuse-once} a
 * refused stream the first time, {@code /nostatus} a response without {@code :status}, {@code
 * /goaway} the body reversed, on the first connection only for the three lowest of the first six
 * such streams, after a {@code GOAWAY} whose last stream is the third of them; {@code /mute} the
 * body reversed, after which the server drops whatever that connection sends, PINGs included (a
 * peer that died without closing it).
 */
final class H2cTestServer implements AutoCloseable {
  private static final AttributeKey<Http2FrameCodec> CODEC = AttributeKey.valueOf("h2test.codec");
  private static final AttributeKey<Boolean> MUTED = AttributeKey.valueOf("h2test.muted");

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicBoolean goAwaySent = new AtomicBoolean();
  private final List<Held> held = new ArrayList<>();
  private final AtomicInteger answeredBeforeGoAway = new AtomicInteger();
  private final AtomicInteger answeredAfterGoAway = new AtomicInteger();
  private final AtomicInteger lastStreamOfGoAway = new AtomicInteger(-1);

  /** A {@code /goaway} request waiting for the GOAWAY: its stream and its answer. */
  private record Held(ChannelHandlerContext ctx, byte[] answer) {
    int streamId() {
      return ((Http2StreamChannel) ctx.channel()).stream().id();
    }
  }

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
                    Http2FrameCodec codec =
                        Http2FrameCodecBuilder.forServer()
                            .initialSettings(
                                Http2Settings.defaultSettings().maxConcurrentStreams(1000))
                            .build();
                    channel.attr(CODEC).set(codec);
                    channel
                        .pipeline()
                        .addLast(
                            // A muted connection drops every byte it receives, unread.
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (Boolean.TRUE.equals(ctx.channel().attr(MUTED).get())) {
                                  ReferenceCountUtil.release(msg);
                                } else {
                                  ctx.fireChannelRead(msg);
                                }
                              }
                            },
                            codec,
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Http2StreamChannel>() {
                                  @Override
                                  protected void initChannel(Http2StreamChannel stream) {
                                    streams.incrementAndGet();
                                    stream.pipeline().addLast(new Answer());
                                  }
                                }),
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2PingFrame ping && !ping.ack()) {
                                  pings.incrementAndGet();
                                }
                                ReferenceCountUtil.release(msg);
                              }
                            });
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

  /** PINGs received from clients so far. */
  int pings() {
    return pings.get();
  }

  /** The last stream id of the GOAWAY that {@code /goaway} sent, or -1 before it. */
  int lastStreamOfGoAway() {
    return lastStreamOfGoAway.get();
  }

  /** {@code /goaway} requests answered on the connection that sent the GOAWAY. */
  int answeredBeforeGoAway() {
    return answeredBeforeGoAway.get();
  }

  /** {@code /goaway} requests answered on later connections. */
  int answeredAfterGoAway() {
    return answeredAfterGoAway.get();
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
        case "/echo" -> echo(ctx, reversed());
        case "/goaway" -> goAwayAtTheSixth(ctx, reversed());
        case "/mute" -> {
          echo(ctx, reversed());
          ctx.channel().parent().attr(MUTED).set(true);
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

    private byte[] reversed() {
      byte[] in = ByteBufUtil.getBytes(body);
      byte[] out = new byte[in.length];
      for (int i = 0; i < in.length; i++) {
        out[i] = in[in.length - 1 - i];
      }
      return out;
    }
  }

  private static void echo(ChannelHandlerContext ctx, byte[] out) {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .status("200")
            .add("content-type", "application/octet-stream")
            .addInt("content-length", out.length);
    ctx.write(new DefaultHttp2HeadersFrame(headers, false));
    ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(out), true));
  }

  /**
   * Holds {@code /goaway} requests until six arrived, then sends GOAWAY naming the third lowest of
   * their streams as the last it processes, and answers the three streams up to it. The streams
   * above it are closed unanswered, as the GOAWAY tells the client; later connections answer at
   * once.
   */
  private void goAwayAtTheSixth(ChannelHandlerContext ctx, byte[] answer) {
    if (goAwaySent.get()) {
      answeredAfterGoAway.incrementAndGet();
      echo(ctx, answer);
      return;
    }
    held.add(new Held(ctx, answer));
    if (held.size() < 6) {
      return;
    }
    goAwaySent.set(true);
    held.sort(java.util.Comparator.comparingInt(Held::streamId));
    int last = held.get(2).streamId();
    lastStreamOfGoAway.set(last);
    Channel connection = ctx.channel().parent();
    Http2FrameCodec codec = connection.attr(CODEC).get();
    codec.goAway(
        connection.pipeline().context(codec),
        last,
        Http2Error.NO_ERROR.code(),
        Unpooled.EMPTY_BUFFER,
        connection.newPromise());
    connection.flush();
    for (Held h : held) {
      if (h.streamId() <= last) {
        answeredBeforeGoAway.incrementAndGet();
        echo(h.ctx(), h.answer());
      }
    }
    held.clear();
  }
}
