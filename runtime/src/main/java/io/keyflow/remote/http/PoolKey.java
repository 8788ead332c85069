package io.keyflow.remote.http;

import io.keyflow.module.Transport;
import java.net.URI;

/**
 * What makes connections interchangeable: the same scheme, host and port, reached with the same
 * transport settings (timeouts, pool size, pipelining, TLS files).
 */
public record PoolKey(String scheme, String host, int port, Transport transport) {

  /** The pool for {@code url}, an {@code http:} or {@code https:} URL with a host. */
  public static PoolKey of(URI url, Transport transport) {
    String scheme =
        url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
      throw new IllegalArgumentException("not an http or https URL with a host: " + url);
    }
    int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
    return new PoolKey(scheme, url.getHost(), port, transport);
  }

  boolean tls() {
    return scheme.equals("https");
  }

  /** Scheme, host and port, such as {@code https://fn.example:443}. */
  public String route() {
    return scheme + "://" + host + ":" + port;
  }
}
