package io.keyflow.remote.http;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import javax.net.ssl.SSLEngine;

/**
 * The TLS side of one pool: the context every connection of the pool shares (so that later
 * handshakes resume an earlier session), the trust manager that remembers the certificates it
 * rejected, and what the client trusts and presents, for naming a failure.
 */
record PoolTls(SslContext context, RecordingTrustManager trust, ClientTls tls) {

  /** The TLS handler of a new connection to {@code host} and {@code port}. */
  SslHandler newHandler(Channel channel, String host, int port, Duration handshakeTimeout) {
    SslHandler handler = context.newHandler(channel.alloc(), host, port);
    handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
    return handler;
  }

  /**
   * The configuration error behind {@code cause} on the connection of {@code engine} (null if the
   * connection never got that far), or null if retrying may help.
   */
  TlsConfigurationException classify(Throwable cause, SSLEngine engine, String route, String host) {
    return TlsFailures.classify(
        cause, route, host, engine == null ? null : trust.takeRejected(engine), tls);
  }
}
