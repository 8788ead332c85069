package io.keyflow.remote.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The handlers of a pooled connection, as both pools add them to a new channel: TLS first when the
 * pool has it, then HTTP/1.1's codec with Keyflow's framing limits, or HTTP/2's frame codec and
 * stream multiplexer behind a watch for silence; the pool's own handler comes last.
 */
final class Pipelines {
  /** The longest HTTP/1.1 status line accepted. */
  static final int MAX_INITIAL_LINE = 4096;

  /** The most bytes of HTTP/1.1 headers, or of an HTTP/2 header list, accepted. */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  /** Streams the server opens (server push, which the client's SETTINGS disable) are refused. */
  private static final ChannelHandler REFUSE_PUSHED =
      new ChannelInboundHandlerAdapter() {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
          ctx.close();
        }

        @Override
        public boolean isSharable() {
          return true;
        }
      };

  private Pipelines() {}

  /**
   * Adds the TLS handler of a connection to {@code host} and {@code port}, in the lane the
   * connection opens in.
   *
   * @return the handler, whose handshake future tells when the connection may carry requests
   */
  static SslHandler addTls(
      Channel channel, PoolTls tls, String host, int port, Duration handshakeTimeout) {
    SslHandler handler = tls.newHandler(channel, host, port, handshakeTimeout);
    channel.pipeline().addLast(handler);
    return handler;
  }

  /**
   * Adds Netty's HTTP/1.1 response decoder, reading responses strictly (RFC 9112: no duplicate
   * lengths, no obsolete line folding, limits on the status line and headers), then {@code reader}.
   * Requests are written as bytes ({@link Exchange#request}); they are all POSTs, so the decoder
   * needs no request method to frame a response (Netty's client codec tracks it for HEAD and
   * CONNECT only).
   */
  static void addHttp1(ChannelPipeline pipeline, ChannelHandler reader) {
    HttpDecoderConfig decoding =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(MAX_INITIAL_LINE)
            .setMaxHeaderSize(MAX_HEADER_BYTES)
            .setHeadersFactory(StrictHeaders.FACTORY)
            .setTrailersFactory(StrictHeaders.FACTORY)
            .setAllowDuplicateContentLengths(false)
            .setStrictLineParsing(true);
    pipeline.addLast(new HttpResponseDecoder(decoding));
    pipeline.addLast(reader);
  }

  /**
   * Adds a watch that reports {@code pingAfter} of silence, HTTP/2's frame codec (server push
   * disabled, no streams accepted from the server) and stream multiplexer, then {@code watch}.
   */
  static void addHttp2(ChannelPipeline pipeline, Duration pingAfter, ChannelHandler watch) {
    // Every byte read counts as a sign of life, so the idle watch sits before the codec.
    pipeline.addLast(new IdleStateHandler(pingAfter.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    Http2Settings settings =
        Http2Settings.defaultSettings()
            .pushEnabled(false)
            .maxConcurrentStreams(0)
            .maxHeaderListSize(MAX_HEADER_BYTES);
    pipeline.addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build());
    pipeline.addLast(new Http2MultiplexHandler(REFUSE_PUSHED));
    pipeline.addLast(watch);
  }
}
