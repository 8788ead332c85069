package io.keyflow.remote.http;

import io.keyflow.remote.http.TlsConfigurationException.Kind;

/**
 * The configuration error of a server that does not speak HTTP/2 to an endpoint set to it: over TLS
 * it chose another protocol by ALPN (or none), over cleartext it answered HTTP/1 to the connection
 * preface. Retrying cannot fix either.
 */
final class Http2NotSpoken {
  private Http2NotSpoken() {}

  /** The server at {@code route} chose {@code chosen} (null for none) instead of {@code h2}. */
  static TlsConfigurationException byAlpn(String route, String chosen) {
    return new TlsConfigurationException(
        Kind.HTTP2_NOT_SPOKEN,
        "TLS to "
            + route
            + " succeeded but the server did not agree to HTTP/2 (ALPN offered h2; the server chose "
            + (chosen == null ? "no protocol" : chosen)
            + "), and retrying cannot fix it. Fix: enable HTTP/2 on the function server, or set"
            + " the endpoint's transport.protocol to http1.",
        null);
  }

  /**
   * The error for {@code cause}, a cleartext connection to {@code route} that failed before it was
   * ready, if it failed because the server answered HTTP/1; else null.
   */
  static TlsConfigurationException inCleartext(String route, Throwable cause) {
    // Netty names the first bytes when they are no SETTINGS frame: "HTTP/" is an HTTP/1 answer.
    if (!String.valueOf(cause.getMessage()).contains("485454502f")) {
      return null;
    }
    return new TlsConfigurationException(
        Kind.HTTP2_NOT_SPOKEN,
        route
            + " answered HTTP/1 to HTTP/2 with prior knowledge (h2c), and retrying cannot fix it."
            + " Fix: enable cleartext HTTP/2 on the function server, or set the endpoint's"
            + " transport.protocol to http1.",
        cause);
  }
}
