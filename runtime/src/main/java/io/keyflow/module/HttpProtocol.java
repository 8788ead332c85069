package io.keyflow.module;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The HTTP version an endpoint's calls use: the {@code transport.protocol} of an endpoint
 * (Keyflow).
 */
public enum HttpProtocol {
  /** HTTP/1.1 with connection reuse and optional pipelining; the default. */
  HTTP1("http1"),

  /**
   * HTTP/2: many calls multiplexed as streams on few connections. Over {@code https:} negotiated
   * with ALPN ({@code h2}); over {@code http:} cleartext {@code h2c} with prior knowledge.
   */
  HTTP2("http2");

  private final String yamlName;

  HttpProtocol(String yamlName) {
    this.yamlName = yamlName;
  }

  /** The value in {@code module.yaml}. */
  public String yamlName() {
    return yamlName;
  }

  /** The protocol named {@code value} in {@code module.yaml}, if any. */
  static Optional<HttpProtocol> parse(String value) {
    String lower = value.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(p -> p.yamlName.equals(lower)).findFirst();
  }

  static List<String> yamlNames() {
    return Arrays.stream(values()).map(HttpProtocol::yamlName).toList();
  }
}
