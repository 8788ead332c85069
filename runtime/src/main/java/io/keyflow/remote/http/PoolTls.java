package io.keyflow.remote.http;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;

/**
 * The TLS side of the pools with one TLS material and protocol: the TLS contexts their connections
 * use, the trust manager that remembers the certificates it rejected, and what the client trusts
 * and presents, for naming a failure.
 *
 * <p><b>Lanes.</b> A TLS 1.3 session ticket resumes one connection only (the JDK's client forgets
 * its key once used), and a context's session cache keeps the latest ticket per host and port. So
 * that connections opened at once (up to {@link Connector#MAX_OPENING}, after a start or a restore)
 * each resume a session, each of them uses a context of its own, one per lane: the lane {@link
 * Connector} gave the connection while it opens. Each lane keeps the ticket of the last connection
 * opened in it, so a burst of reconnects resumes as many sessions as it has lanes.
 */
final class PoolTls {
  private final Supplier<SslContext> contexts;
  private final SslContext[] lanes = new SslContext[Connector.MAX_OPENING];
  private final RecordingTrustManager trust;
  private final ClientTls tls;

  /**
   * @param contexts makes a context over the same trust and key managers; called once per lane
   */
  PoolTls(Supplier<SslContext> contexts, RecordingTrustManager trust, ClientTls tls) {
    this.contexts = contexts;
    this.trust = trust;
    this.tls = tls;
    lanes[0] = contexts.get();
  }

  /** What the client trusts and presents. */
  ClientTls tls() {
    return tls;
  }

  /** The TLS handler of a new connection to {@code host} and {@code port}, in its lane. */
  SslHandler newHandler(Channel channel, String host, int port, Duration handshakeTimeout) {
    SslHandler handler = lane(Connector.lane(channel)).newHandler(channel.alloc(), host, port);
    handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
    return handler;
  }

  private synchronized SslContext lane(int lane) {
    if (lanes[lane] == null) {
      lanes[lane] = contexts.get();
    }
    return lanes[lane];
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
