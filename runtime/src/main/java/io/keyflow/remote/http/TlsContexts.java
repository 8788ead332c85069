package io.keyflow.remote.http;

import io.keyflow.module.HttpProtocol;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client TLS contexts of the JVM, one per TLS material (by the content of its files) and
 * protocol, kept across function clients: a job restarted in the same TaskManager finds the context
 * its previous run used, whose session cache lets its first connections resume the sessions of the
 * previous run's instead of making full handshakes. Material that differs in any file's content or
 * location gets a context of its own; at most {@link #MAX_CONTEXTS} are kept, the least recently
 * used dropped first (pools using a dropped context keep it).
 */
final class TlsContexts {
  private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

  /** More distinct TLS settings than this in one JVM are unusual; each context holds a cache. */
  static final int MAX_CONTEXTS = 16;

  /** What a context is built from: the material's fingerprint and what ALPN offers. */
  private record Key(String fingerprint, HttpProtocol protocol) {}

  private static final Map<Key, PoolTls> CONTEXTS =
      new LinkedHashMap<>(MAX_CONTEXTS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, PoolTls> eldest) {
          return size() > MAX_CONTEXTS;
        }
      };

  private TlsContexts() {}

  /**
   * The context for {@code source} and {@code protocol}: the one made before for the same material
   * and protocol, or a new one.
   *
   * @param route the scheme, host and port asking first, for messages
   * @throws IllegalArgumentException naming the field or the reason when the material is unusable
   */
  static PoolTls context(ClientTlsSource source, HttpProtocol protocol, String route) {
    Key key = new Key(source.fingerprint(), protocol);
    synchronized (CONTEXTS) {
      PoolTls known = CONTEXTS.get(key);
      if (known != null) {
        return known;
      }
    }
    // Built outside the lock: two first users of the same material may both build, one is kept.
    PoolTls built = build(source.build(), protocol, route);
    synchronized (CONTEXTS) {
      PoolTls raced = CONTEXTS.putIfAbsent(key, built);
      if (raced != null) {
        return raced;
      }
    }
    LOG.debug("Made a TLS context for {} ({}, {})", route, protocol, built.tls().trustSource());
    return built;
  }

  /** How many contexts are kept now. */
  static int size() {
    synchronized (CONTEXTS) {
      return CONTEXTS.size();
    }
  }

  private static PoolTls build(ClientTls tls, HttpProtocol protocol, String route) {
    RecordingTrustManager trust = new RecordingTrustManager(extended(tls));
    return new PoolTls(() -> context(tls, trust, protocol, route), trust, tls);
  }

  /** A context over {@code tls}'s key manager and {@code trust}, offering {@code protocol}. */
  private static SslContext context(
      ClientTls tls, RecordingTrustManager trust, HttpProtocol protocol, String route) {
    try {
      SslContextBuilder builder =
          SslContextBuilder.forClient()
              .sslProvider(SslProvider.JDK)
              .trustManager(trust)
              .endpointIdentificationAlgorithm("HTTPS");
      if (tls.keys() != null) {
        builder.keyManager(tls.keys());
      }
      if (protocol == HttpProtocol.HTTP2) {
        // RFC 9113 section 9.2: HTTP/2 over TLS 1.2 only with the cipher suites it allows.
        builder
            .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ApplicationProtocolNames.HTTP_2));
      }
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot set up TLS for " + route + ": " + e, e);
    }
  }

  private static X509ExtendedTrustManager extended(ClientTls tls) {
    for (TrustManager manager : tls.trust().getTrustManagers()) {
      if (manager instanceof X509ExtendedTrustManager extended) {
        return extended;
      }
    }
    throw new IllegalArgumentException("no X.509 trust manager in " + tls.trustSource());
  }
}
