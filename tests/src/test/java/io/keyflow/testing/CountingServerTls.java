package io.keyflow.testing;

import java.net.Socket;
import java.security.KeyManagementException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server's TLS context that counts, on the server side, the TLS connections it accepted (one
 * {@link SSLEngine} each) and how many of them went through a full handshake. A full handshake asks
 * the key manager for the server's certificate; a resumed one (a TLS 1.3 session ticket, a TLS 1.2
 * session id) does not, so connections minus full handshakes are the resumed ones.
 */
public final class CountingServerTls {
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger fullHandshakes = new AtomicInteger();
  private final Map<SSLEngine, Boolean> certified =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final SSLContext context;

  CountingServerTls(KeyManagerFactory keys, TrustManager[] trust) throws KeyManagementException {
    X509ExtendedKeyManager delegate = null;
    for (KeyManager manager : keys.getKeyManagers()) {
      if (manager instanceof X509ExtendedKeyManager extended) {
        delegate = extended;
      }
    }
    if (delegate == null) {
      throw new IllegalArgumentException("no X.509 key manager");
    }
    SSLContext real;
    try {
      real = SSLContext.getInstance("TLS");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    real.init(new KeyManager[] {new CountingKeys(delegate)}, trust, null);
    this.context = new Counting(new CountingSpi(real), real);
  }

  /** The context to give the server. */
  public SSLContext context() {
    return context;
  }

  /** TLS connections the server accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Connections that went through a full handshake (not resumed) so far. */
  public int fullHandshakes() {
    return fullHandshakes.get();
  }

  private static final class Counting extends SSLContext {
    Counting(SSLContextSpi spi, SSLContext real) {
      super(spi, real.getProvider(), real.getProtocol());
    }
  }

  private final class CountingSpi extends SSLContextSpi {
    private final SSLContext real;

    CountingSpi(SSLContext real) {
      this.real = real;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
      throw new UnsupportedOperationException("initialised already");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return real.getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return real.getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      connections.incrementAndGet();
      return real.createSSLEngine();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      connections.incrementAndGet();
      return real.createSSLEngine(host, port);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return real.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return real.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return real.getDefaultSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return real.getSupportedSSLParameters();
    }
  }

  /** Counts the engines that asked for the server's certificate: one per full handshake. */
  private final class CountingKeys extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager delegate;

    CountingKeys(X509ExtendedKeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      // The JDK may ask once per key type it could use; the engine counts once.
      if (engine != null && certified.putIfAbsent(engine, Boolean.TRUE) == null) {
        fullHandshakes.incrementAndGet();
      }
      return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return delegate.chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }
  }
}
