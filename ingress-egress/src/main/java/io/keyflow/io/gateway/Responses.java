package io.keyflow.io.gateway;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The gateway's answers: replies as the function sent them, everything else as small JSON. */
final class Responses {
  static final HttpString KEYFLOW_TYPE = new HttpString("X-Keyflow-Type");
  static final HttpString INVOCATION_ID = new HttpString("X-Keyflow-Invocation-Id");
  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+");

  private Responses() {}

  static void reply(HttpServerExchange exchange, String invocationId, ReplyStore.Reply reply) {
    exchange.setStatusCode(200);
    exchange.getResponseHeaders().put(INVOCATION_ID, invocationId);
    exchange.getResponseHeaders().put(KEYFLOW_TYPE, reply.typename());
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType(reply.typename()));
    exchange.getResponseSender().send(ByteBuffer.wrap(reply.value()));
  }

  /** The reply, or 422 when it answers another request that reused the Idempotency-Key. */
  static void answer(HttpServerExchange exchange, String invocationId, ReplyStore.Reply reply) {
    if (reply.answers(invocationId)) {
      reply(exchange, invocationId, reply);
    } else {
      conflict(exchange);
    }
  }

  /** 422: the Idempotency-Key was first used with another request; its reply is not this one's. */
  static void conflict(HttpServerExchange exchange) {
    error(
        exchange,
        422,
        "this Idempotency-Key was first used with another request to the function (another"
            + " body or message type) within idempotencyTtl, and only that request was made; use a"
            + " new key for a new request, or repeat the first request exactly to get its reply");
  }

  /** 202: the call is accepted (and durable); its reply can be fetched by id later. */
  static void accepted(HttpServerExchange exchange, String invocationId, String why) {
    exchange.getResponseHeaders().put(INVOCATION_ID, invocationId);
    exchange.getResponseHeaders().put(Headers.LOCATION, "/v1/invocations/" + invocationId);
    json(
        exchange,
        202,
        "{\"invocationId\":"
            + quote(invocationId)
            + ",\"location\":"
            + quote("/v1/invocations/" + invocationId)
            + ",\"status\":"
            + quote(why)
            + "}");
  }

  static void error(HttpServerExchange exchange, int status, String message) {
    json(exchange, status, "{\"error\":" + quote(message) + "}");
  }

  static void json(HttpServerExchange exchange, int status, String body) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseSender().send(body, StandardCharsets.UTF_8);
  }

  /**
   * A StateFun typename ({@code namespace/name}) has the shape of a media type, so the reply's
   * typename is its Content-Type when it is a valid one; otherwise the bytes are octets.
   */
  static String contentType(String typename) {
    return MEDIA_TYPE.matcher(typename).matches() ? typename : "application/octet-stream";
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
