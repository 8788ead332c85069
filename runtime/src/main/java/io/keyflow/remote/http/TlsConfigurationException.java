package io.keyflow.remote.http;

import java.io.IOException;

/**
 * A TLS handshake failed for a reason another attempt cannot fix: the server's certificate does not
 * name the host, is signed by a CA the client does not trust, is expired or not yet valid, or the
 * server refused the client's certificate; or the server does not speak HTTP/2 where the endpoint
 * asks for it (ALPN over TLS, or prior knowledge over cleartext). The message names the endpoint,
 * the certificate or protocol, and the fix.
 */
public final class TlsConfigurationException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Which rule of TLS the connection broke. */
  public enum Kind {
    HOST_NAME_MISMATCH,
    UNTRUSTED_CERTIFICATE,
    CERTIFICATE_NOT_VALID_NOW,
    CLIENT_CERTIFICATE_REFUSED,
    /** The endpoint's {@code protocol: http2}, but the server does not speak HTTP/2. */
    HTTP2_NOT_SPOKEN
  }

  private final Kind kind;

  TlsConfigurationException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
