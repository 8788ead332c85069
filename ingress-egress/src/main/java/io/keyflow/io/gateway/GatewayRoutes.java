package io.keyflow.io.gateway;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's routes, each handled by a class of its own:
 *
 * <ul>
 *   <li>{@code POST /v1/functions/{namespace}/{type}/{id}}: calls the function and answers with its
 *       reply, or 202 with the invocation id when the wait runs out ({@link CallRoute});
 *   <li>{@code POST /v1/functions/{namespace}/{type}/{id}/send}: 202 once the call is durable;
 *   <li>{@code GET /v1/invocations/{id}}: the reply to an earlier call, once there is one ({@link
 *       FetchRoute});
 *   <li>{@code GET /v1/status}: this instance's health and counters ({@link StatusRoute}).
 * </ul>
 *
 * The admin routes ({@code /v1/admin/...}) are apart, behind tokens of their own ({@link
 * AdminRoute}).
 *
 * <p>Nothing here blocks a server thread: bodies are read, calls written and replies awaited
 * asynchronously.
 */
final class GatewayRoutes implements HttpHandler {
  private static final String ROUTES =
      "POST /v1/functions/{namespace}/{type}/{id}, POST /v1/functions/{namespace}/{type}/{id}/send,"
          + " GET /v1/invocations/{id} or GET /v1/status";

  private final CallRoute calls;
  private final FetchRoute fetches;
  private final StatusRoute status;

  GatewayRoutes(CallRoute calls, FetchRoute fetches, StatusRoute status) {
    this.calls = calls;
    this.fetches = fetches;
    this.status = status;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    List<String> path;
    try {
      path = segments(exchange.getRequestURI());
    } catch (IllegalArgumentException e) {
      Responses.error(exchange, 400, "the path is not URL-encoded correctly: " + e.getMessage());
      return;
    }
    if (path.size() >= 2 && path.get(0).equals("v1") && path.get(1).equals("functions")) {
      if (!exchange.getRequestMethod().equals(Methods.POST)) {
        Responses.error(exchange, 405, "functions are called with POST; the routes are " + ROUTES);
        return;
      }
      if (path.size() == 5 && !path.get(4).isEmpty()) {
        calls.call(exchange, path.get(2), path.get(3), path.get(4), false);
        return;
      }
      if (path.size() == 6 && path.get(5).equals("send") && !path.get(4).isEmpty()) {
        calls.call(exchange, path.get(2), path.get(3), path.get(4), true);
        return;
      }
      if (path.size() == 4 || (path.size() == 5 && path.get(4).isEmpty())) {
        Responses.error(
            exchange,
            400,
            "the path names no function id: POST /v1/functions/{namespace}/{type}/{id}");
        return;
      }
    }
    if (path.size() == 2 && path.get(0).equals("v1") && path.get(1).equals("status")) {
      status.status(exchange);
      return;
    }
    if (path.size() == 3 && path.get(0).equals("v1") && path.get(1).equals("invocations")) {
      if (!exchange.getRequestMethod().equals(Methods.GET)) {
        Responses.error(exchange, 405, "invocations are fetched with GET");
        return;
      }
      fetches.fetch(exchange, path.get(2));
      return;
    }
    Responses.error(
        exchange, 404, "no route " + exchange.getRequestURI() + "; the routes are " + ROUTES);
  }

  /** The decoded segments of a raw request path, so that an id may contain an encoded slash. */
  static List<String> segments(String rawPath) {
    String path = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
    List<String> out = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      out.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
    }
    return out;
  }
}
