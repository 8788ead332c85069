package io.keyflow.io.gateway;

import com.google.protobuf.UnsafeByteOperations;
import io.keyflow.module.Durations;
import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.gateway.GatewayRequest;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The gateway's routes:
 *
 * <ul>
 *   <li>{@code POST /v1/functions/{namespace}/{type}/{id}}: calls the function and answers with its
 *       reply, or 202 with the invocation id when the wait runs out;
 *   <li>{@code POST /v1/functions/{namespace}/{type}/{id}/send}: 202 once the call is durable;
 *   <li>{@code GET /v1/invocations/{id}}: the reply to an earlier call, once there is one.
 * </ul>
 *
 * Nothing here blocks a server thread: bodies are read, calls written and replies awaited
 * asynchronously.
 */
final class GatewayHandler implements HttpHandler {
  static final HttpString IDEMPOTENCY_KEY = new HttpString("Idempotency-Key");
  private static final String ROUTES =
      "POST /v1/functions/{namespace}/{type}/{id}, POST /v1/functions/{namespace}/{type}/{id}/send,"
          + " GET /v1/invocations/{id} or GET /v1/status";

  private final GatewaySpec spec;
  private final Module module;
  private final RequestLog requests;
  private final ReplyStore replies;
  private final ReplyListener listener;
  private final AtomicLong callsWritten = new AtomicLong();
  private final AtomicLong callsNotWritten = new AtomicLong();

  GatewayHandler(
      GatewaySpec spec,
      Module module,
      RequestLog requests,
      ReplyStore replies,
      ReplyListener listener) {
    this.spec = spec;
    this.module = module;
    this.requests = requests;
    this.replies = replies;
    this.listener = listener;
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
        call(exchange, path.get(2), path.get(3), path.get(4), false);
        return;
      }
      if (path.size() == 6 && path.get(5).equals("send") && !path.get(4).isEmpty()) {
        call(exchange, path.get(2), path.get(3), path.get(4), true);
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
      status(exchange);
      return;
    }
    if (path.size() == 3 && path.get(0).equals("v1") && path.get(1).equals("invocations")) {
      if (!exchange.getRequestMethod().equals(Methods.GET)) {
        Responses.error(exchange, 405, "invocations are fetched with GET");
        return;
      }
      fetch(exchange, path.get(2));
      return;
    }
    Responses.error(
        exchange, 404, "no route " + exchange.getRequestURI() + "; the routes are " + ROUTES);
  }

  private void call(
      HttpServerExchange exchange, String namespace, String type, String id, boolean sendOnly) {
    TypeName function;
    try {
      function = new TypeName(namespace, type);
    } catch (IllegalArgumentException e) {
      Responses.error(exchange, 400, e.getMessage());
      return;
    }
    if (module.endpointFor(function).isEmpty()) {
      Responses.error(
          exchange,
          404,
          "no function type "
              + function
              + ": the module's endpoints serve "
              + module.endpoints().stream()
                  .map(e -> e.functions().toString())
                  .collect(Collectors.joining(", ")));
      return;
    }
    if (!spec.exposes(function)) {
      Responses.error(
          exchange,
          404,
          "gateway "
              + spec.id()
              + " does not expose function type "
              + function
              + "; its functions are "
              + spec.functions().stream().map(Object::toString).collect(Collectors.joining(", ")));
      return;
    }
    String typename = typename(exchange);
    if (typename == null) {
      Responses.error(
          exchange,
          400,
          "the request names no message type: set X-Keyflow-Type (or Content-Type) to the"
              + " typename the function expects, such as shop.types/CartCommand");
      return;
    }
    try {
      TypeName.parse(typename);
    } catch (IllegalArgumentException e) {
      Responses.error(exchange, 400, "X-Keyflow-Type (or Content-Type): " + e.getMessage());
      return;
    }
    Duration wait = wait(exchange, spec.defaultWait());
    if (wait == null) {
      return;
    }
    if (exchange.getRequestContentLength() > spec.maxBodyBytes()) {
      tooLarge(exchange);
      return;
    }
    if (!sendOnly && replies.waiting() >= spec.maxPendingCalls()) {
      exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
      Responses.error(
          exchange,
          503,
          spec.maxPendingCalls()
              + " calls are waiting for replies at this gateway (limits.maxPendingCalls); retry"
              + " later");
      return;
    }
    Address target = Address.newBuilder().setNamespace(namespace).setType(type).setId(id).build();
    exchange.setMaxEntitySize(spec.maxBodyBytes());
    exchange
        .getRequestReceiver()
        .receiveFullBytes(
            (ex, body) -> onBody(ex, target, typename, body, wait, sendOnly),
            (ex, error) -> {
              if (error instanceof RequestTooBigException) {
                tooLarge(ex);
              } else {
                Responses.error(ex, 400, "the request body could not be read: " + error);
              }
            });
  }

  private void onBody(
      HttpServerExchange exchange,
      Address target,
      String typename,
      byte[] body,
      Duration wait,
      boolean sendOnly) {
    exchange.dispatch();
    String key = exchange.getRequestHeaders().getFirst(IDEMPOTENCY_KEY);
    boolean idempotent = key != null && !key.isEmpty();
    String invocation =
        idempotent ? InvocationIds.forIdempotencyKey(target, key) : InvocationIds.random();
    if (idempotent) {
      ReplyStore.Reply known = replies.get(invocation);
      if (known != null) {
        if (sendOnly) {
          Responses.accepted(exchange, invocation, "replied");
        } else {
          Responses.reply(exchange, invocation, known);
        }
        return;
      }
    }
    GatewayRequest request =
        GatewayRequest.newBuilder()
            .setTarget(target)
            .setArgument(
                TypedValue.newBuilder()
                    .setTypename(typename)
                    .setHasValue(true)
                    .setValue(UnsafeByteOperations.unsafeWrap(body)))
            .setInvocationId(invocation)
            .setIdempotent(idempotent)
            .setAcceptedAtMillis(System.currentTimeMillis())
            .build();
    if (sendOnly) {
      requests
          .write(request)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  notWritten(exchange, error);
                } else {
                  callsWritten.incrementAndGet();
                  Responses.accepted(exchange, invocation, "accepted");
                }
              });
      return;
    }
    // Wait before writing, so that a quick reply cannot pass unseen.
    CompletableFuture<ReplyStore.Reply> reply = replies.await(invocation);
    CompletableFuture<Void> written = requests.write(request);
    written.whenComplete(
        (ok, error) -> {
          if (error != null) {
            reply.completeExceptionally(error);
          } else {
            callsWritten.incrementAndGet();
          }
        });
    reply
        .orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (answer, error) -> {
              if (answer != null) {
                Responses.reply(exchange, invocation, answer);
                return;
              }
              replies.forget(invocation, reply);
              if (error instanceof TimeoutException) {
                // 202 promises a durable call: answer only once Kafka has it.
                written.whenComplete(
                    (ok, notWritten) -> {
                      if (notWritten != null) {
                        notWritten(exchange, notWritten);
                      } else {
                        Responses.accepted(exchange, invocation, "running");
                      }
                    });
              } else {
                notWritten(exchange, error);
              }
            });
  }

  private void fetch(HttpServerExchange exchange, String invocation) {
    Duration wait = wait(exchange, Duration.ZERO);
    if (wait == null) {
      return;
    }
    ReplyStore.Reply known = replies.get(invocation);
    if (known != null) {
      Responses.reply(exchange, invocation, known);
      return;
    }
    if (wait.isZero()) {
      noReply(exchange, invocation);
      return;
    }
    exchange.dispatch();
    CompletableFuture<ReplyStore.Reply> reply = replies.await(invocation);
    reply
        .orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (answer, error) -> {
              if (answer != null) {
                Responses.reply(exchange, invocation, answer);
              } else {
                replies.forget(invocation, reply);
                noReply(exchange, invocation);
              }
            });
  }

  /**
   * What this instance is doing, as JSON; 503 once it no longer reads replies, so that a load
   * balancer's health check takes it out.
   */
  private void status(HttpServerExchange exchange) {
    boolean reading = listener.reading();
    Responses.json(
        exchange,
        reading ? 200 : 503,
        "{\"gateway\":"
            + Responses.quote(spec.id().toString())
            + ",\"replies\":"
            + Responses.quote(spec.exactlyOnceReplies() ? "exactly-once" : "at-least-once")
            + ",\"readingReplies\":"
            + reading
            + ",\"caughtUp\":"
            + listener.caughtUp()
            + ",\"waitingCalls\":"
            + replies.waiting()
            + ",\"keptReplies\":"
            + replies.kept()
            + ",\"callsWritten\":"
            + callsWritten.get()
            + ",\"callsNotWritten\":"
            + callsNotWritten.get()
            + ",\"repliesRead\":"
            + listener.repliesRead()
            + "}");
  }

  private void noReply(HttpServerExchange exchange, String invocation) {
    Responses.error(
        exchange,
        404,
        "no reply to invocation "
            + invocation
            + " yet: the function may still be working on it, or its reply is older than"
            + " idempotencyTtl ("
            + Durations.format(spec.idempotencyTtl())
            + "); add ?wait=30s to wait for it");
  }

  private void notWritten(HttpServerExchange exchange, Throwable error) {
    callsNotWritten.incrementAndGet();
    Throwable cause = error.getCause() != null ? error.getCause() : error;
    exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
    Responses.error(
        exchange,
        503,
        "the call was not made: it could not be written to Kafka topic "
            + spec.requestTopic()
            + " ("
            + cause.getMessage()
            + ")");
  }

  private void tooLarge(HttpServerExchange exchange) {
    Responses.error(
        exchange,
        413,
        "the request body is larger than limits.maxBodyBytes (" + spec.maxBodyBytes() + " bytes)");
  }

  /** The {@code wait} query parameter, at most maxWait; null after answering 400. */
  private Duration wait(HttpServerExchange exchange, Duration dflt) {
    Deque<String> values = exchange.getQueryParameters().get("wait");
    if (values == null || values.isEmpty()) {
      return dflt;
    }
    Duration wait = Durations.parse(values.getFirst());
    if (wait == null) {
      Responses.error(exchange, 400, "wait=" + values.getFirst() + " is not " + Durations.EXPECTED);
      return null;
    }
    if (wait.compareTo(spec.maxWait()) > 0) {
      Responses.error(
          exchange,
          400,
          "wait="
              + values.getFirst()
              + " is longer than timeouts.maxWait ("
              + Durations.format(spec.maxWait())
              + ")");
      return null;
    }
    return wait;
  }

  /** X-Keyflow-Type, else Content-Type without its parameters; null when neither is given. */
  private static String typename(HttpServerExchange exchange) {
    String explicit = exchange.getRequestHeaders().getFirst(Responses.KEYFLOW_TYPE);
    if (explicit != null && !explicit.isBlank()) {
      return explicit.trim();
    }
    String contentType = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
    if (contentType == null || contentType.isBlank()) {
      return null;
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
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
