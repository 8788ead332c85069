package io.keyflow.io.gateway;

import io.keyflow.remote.TlsMaterial;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.time.Duration;

/**
 * The gateway's Undertow server: where it listens (HTTP, or HTTPS with the module's certificate),
 * and the bounds that keep slow or oversized clients from holding it:
 *
 * <ul>
 *   <li>a request's line and headers must arrive within {@code timeouts.headers} (10 s);
 *   <li>a kept-alive connection without a request is closed after {@code timeouts.idleConnection}
 *       (60 s);
 *   <li>a connection without any traffic is closed after {@code timeouts.maxWait} plus one minute:
 *       longer than any call or fetch may wait for its reply, shorter than forever;
 *   <li>at most {@value #MAX_HEADERS} headers of {@value #MAX_HEADER_BYTES} bytes in all, {@value
 *       #MAX_PARAMETERS} query parameters, and a body of {@code limits.maxBodyBytes}.
 * </ul>
 */
final class GatewayListener {
  static final int MAX_HEADER_BYTES = 16 * 1024;
  static final int MAX_HEADERS = 64;
  static final int MAX_PARAMETERS = 16;

  /** Past the longest wait, so that a waiting call is never cut off for being quiet. */
  static final Duration IDLE_BEYOND_MAX_WAIT = Duration.ofMinutes(1);

  private GatewayListener() {}

  static Undertow build(GatewaySpec spec, HttpHandler handler) {
    Undertow.Builder builder = Undertow.builder();
    if (spec.tls().enabled()) {
      builder.addHttpsListener(
          spec.listenPort(),
          spec.listenHost(),
          TlsMaterial.serverContext(
              "tls.cert",
              spec.tls().cert(),
              "tls.key",
              spec.tls().key(),
              "tls.keyPassword",
              spec.tls().keyPassword()));
    } else {
      builder.addHttpListener(spec.listenPort(), spec.listenHost());
    }
    return builder
        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, millis(spec.headersTimeout()))
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, millis(spec.idleConnectionTimeout()))
        .setServerOption(
            UndertowOptions.IDLE_TIMEOUT, millis(spec.maxWait().plus(IDLE_BEYOND_MAX_WAIT)))
        .setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
        .setServerOption(UndertowOptions.MAX_HEADERS, MAX_HEADERS)
        .setServerOption(UndertowOptions.MAX_PARAMETERS, MAX_PARAMETERS)
        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, spec.maxBodyBytes())
        .setHandler(handler)
        .build();
  }

  private static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
  }
}
