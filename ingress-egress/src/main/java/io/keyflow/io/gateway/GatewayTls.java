package io.keyflow.io.gateway;

import java.io.Serializable;

/**
 * TLS for the gateway's listener ({@code tls} in module.yaml): a PEM certificate chain and its
 * PKCS#8 key, read when the gateway starts. Locations are paths, {@code file:} URLs or {@code
 * classpath:} resources. All null: plain HTTP.
 *
 * @param cert the certificate chain, server certificate first
 * @param key the private key (PKCS#8: {@code PRIVATE KEY} or {@code ENCRYPTED PRIVATE KEY})
 * @param keyPassword a file holding the key's password, or null for an unencrypted key
 */
public record GatewayTls(String cert, String key, String keyPassword) implements Serializable {
  private static final GatewayTls NONE = new GatewayTls(null, null, null);

  public GatewayTls {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("a certificate needs its key and a key its certificate");
    }
  }

  /** Plain HTTP. */
  public static GatewayTls none() {
    return NONE;
  }

  public boolean enabled() {
    return cert != null;
  }
}
