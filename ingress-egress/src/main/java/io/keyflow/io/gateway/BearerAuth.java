package io.keyflow.io.gateway;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Lets a request through only with {@code Authorization: Bearer <token>} naming one of the
 * gateway's tokens; answers 401 with {@code WWW-Authenticate} (RFC 6750) otherwise. The health
 * check {@code GET /v1/status} stays open, so that load balancers need no token; it tells only
 * whether the instance reads replies and how busy it is.
 */
final class BearerAuth implements HttpHandler {
  static final String STATUS_PATH = "/v1/status";
  private static final String REALM = "Bearer realm=\"keyflow-gateway\"";
  private static final String SCHEME = "bearer ";

  private final BearerTokens tokens;
  private final HttpHandler next;

  BearerAuth(BearerTokens tokens, HttpHandler next) {
    this.tokens = tokens;
    this.next = next;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (exchange.getRequestPath().equals(STATUS_PATH)) {
      next.handleRequest(exchange);
      return;
    }
    String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    if (authorization == null
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, REALM);
      Responses.error(
          exchange,
          401,
          "this gateway needs a bearer token: send the header Authorization: Bearer <token>");
      return;
    }
    if (!tokens.accepts(authorization.substring(SCHEME.length()).strip())) {
      exchange
          .getResponseHeaders()
          .put(Headers.WWW_AUTHENTICATE, REALM + ", error=\"invalid_token\"");
      Responses.error(exchange, 401, "the bearer token is not one this gateway accepts");
      return;
    }
    next.handleRequest(exchange);
  }
}
