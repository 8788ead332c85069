package io.keyflow.remote;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;

/**
 * Presents one client certificate chain with its private key, as read from the endpoint's {@code
 * client_cert} and {@code client_key}, held in memory. The JDK's and Netty's key managers only take
 * a {@link java.security.KeyStore}, whose PKCS#12 entries encrypt the key with a password (10,000
 * PBKDF2 rounds) just for the key manager to decrypt it again; this one hands the key over as it
 * is.
 *
 * <p>It offers its certificate when the server asks for a key type the certificate's key has
 * ({@code RSA}, {@code EC}, {@code EdDSA}, ...; a TLS 1.2 {@code KEY_SIGNER} type such as {@code
 * EC_RSA} also needs the issuer's key type, or the certificate's signature algorithm when the chain
 * holds one certificate), and, when the server names the CAs it accepts, only if one of them issued
 * a certificate of the chain: the rules of the JDK's default ({@code SunX509}) key manager, so a
 * server that would not accept the certificate gets none and says so.
 */
final class ClientKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "client";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  /**
   * @param key the client's private key
   * @param chain its certificate first, then the certificates that issued it; not empty
   */
  ClientKeyManager(PrivateKey key, X509Certificate[] chain) {
    if (chain.length == 0) {
      throw new IllegalArgumentException("a client certificate chain holds a certificate");
    }
    this.key = key;
    this.chain = chain.clone();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return offers(keyType, issuers) ? new String[] {ALIAS} : null;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return choose(keyTypes, issuers);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return choose(keyTypes, issuers);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }

  private String choose(String[] keyTypes, Principal[] issuers) {
    if (keyTypes != null) {
      for (String keyType : keyTypes) {
        if (offers(keyType, issuers)) {
          return ALIAS;
        }
      }
    }
    return null;
  }

  /** Whether the certificate suits a server asking for {@code keyType} from {@code issuers}. */
  boolean offers(String keyType, Principal[] issuers) {
    if (keyType == null) {
      return false;
    }
    int split = keyType.indexOf('_');
    String keyAlgorithm = split < 0 ? keyType : keyType.substring(0, split);
    if (!keyAlgorithm.equals(chain[0].getPublicKey().getAlgorithm())) {
      return false;
    }
    if (split >= 0 && !signedWith(keyType.substring(split + 1))) {
      return false;
    }
    return issuedByOneOf(issuers);
  }

  /** Whether the certificate was signed with a key of {@code algorithm}. */
  private boolean signedWith(String algorithm) {
    if (chain.length > 1) {
      return algorithm.equals(chain[1].getPublicKey().getAlgorithm());
    }
    return chain[0]
        .getSigAlgName()
        .toUpperCase(Locale.ROOT)
        .contains("WITH" + algorithm.toUpperCase(Locale.ROOT));
  }

  /** Whether a certificate of the chain was issued by one of {@code issuers}; none named: yes. */
  private boolean issuedByOneOf(Principal[] issuers) {
    if (issuers == null || issuers.length == 0) {
      return true;
    }
    for (Principal issuer : issuers) {
      X500Principal name =
          issuer instanceof X500Principal x500 ? x500 : new X500Principal(issuer.getName());
      for (X509Certificate certificate : chain) {
        if (certificate.getIssuerX500Principal().equals(name)) {
          return true;
        }
      }
    }
    return false;
  }
}
