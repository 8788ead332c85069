package io.keyflow.io.gateway;

import com.google.protobuf.UnsafeByteOperations;
import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.gateway.GatewayRequest;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/functions/{namespace}/{type}/{id}[/send]}: writes the call to Kafka and answers
 * with the function's reply, or 202 once the call is durable.
 *
 * <p>A call with an Idempotency-Key is answered from the reply its key's slot already has: the
 * reply itself when it answers the same request (a retry), 422 when it answers another request that
 * reused the key. The job delivers one call per slot, so a request that reuses a key with another
 * body never reaches the function either.
 */
final class CallRoute {
  static final HttpString IDEMPOTENCY_KEY = new HttpString("Idempotency-Key");
  static final HttpString TRACEPARENT = new HttpString("traceparent");
  static final HttpString TRACESTATE = new HttpString("tracestate");

  /** Longer trace headers are no W3C trace context and are not passed on. */
  private static final int MAX_TRACEPARENT = 256;

  private static final int MAX_TRACESTATE = 512;

  private final GatewaySpec spec;
  private final Module module;
  private final RequestLog requests;
  private final ReplyStore replies;
  private final WaitingLimits limits;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong notWritten = new AtomicLong();

  CallRoute(
      GatewaySpec spec,
      Module module,
      RequestLog requests,
      ReplyStore replies,
      WaitingLimits limits) {
    this.spec = spec;
    this.module = module;
    this.requests = requests;
    this.replies = replies;
    this.limits = limits;
  }

  long written() {
    return written.get();
  }

  long notWritten() {
    return notWritten.get();
  }

  void call(
      HttpServerExchange exchange, String namespace, String type, String id, boolean sendOnly) {
    TypeName function;
    try {
      function = new TypeName(namespace, type);
    } catch (IllegalArgumentException e) {
      Responses.error(exchange, 400, e.getMessage());
      return;
    }
    // One answer whether the type is bound or not, so that callers learn nothing of the types the
    // gateway does not expose.
    if (!spec.exposes(function)) {
      Responses.error(
          exchange,
          404,
          "gateway "
              + spec.id()
              + " does not expose function type "
              + function
              + "; to call it through the gateway, add it to the gateway's functions in"
              + " module.yaml");
      return;
    }
    if (module.endpointFor(function).isEmpty()) {
      Responses.error(
          exchange,
          404,
          "no endpoint of the module serves function type "
              + function
              + "; bind it with an endpoint (kind io.statefun.endpoints.v2/http) in module.yaml");
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
    Duration wait = WaitParameter.read(exchange, spec.defaultWait(), spec.maxWait());
    if (wait == null) {
      return;
    }
    if (exchange.getRequestContentLength() > spec.maxBodyBytes()) {
      tooLarge(exchange);
      return;
    }
    if (!sendOnly && limits.callsFull()) {
      busy(exchange);
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
        idempotent
            ? InvocationIds.forIdempotencyKey(target, key, typename, body)
            : InvocationIds.random();
    if (idempotent) {
      ReplyStore.Reply known = replies.get(invocation);
      if (known != null) {
        if (!known.answers(invocation)) {
          Responses.conflict(exchange);
        } else if (sendOnly) {
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
            .setTraceparent(header(exchange, TRACEPARENT, MAX_TRACEPARENT))
            .setTracestate(header(exchange, TRACESTATE, MAX_TRACESTATE))
            .build();
    if (sendOnly) {
      requests
          .write(request)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  notWritten(exchange, error);
                } else {
                  written.incrementAndGet();
                  Responses.accepted(exchange, invocation, "accepted");
                }
              });
      return;
    }
    if (!limits.tryCall()) {
      busy(exchange);
      return;
    }
    // Wait before writing, so that a quick reply cannot pass unseen.
    CompletableFuture<ReplyStore.Reply> reply = replies.await(invocation);
    CompletableFuture<Void> write = requests.write(request);
    write.whenComplete(
        (ok, error) -> {
          if (error != null) {
            reply.completeExceptionally(error);
          } else {
            written.incrementAndGet();
          }
        });
    reply
        .orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (answer, error) -> {
              limits.callDone();
              if (answer != null) {
                Responses.answer(exchange, invocation, answer);
                return;
              }
              replies.forget(invocation, reply);
              if (error instanceof TimeoutException) {
                // 202 promises a durable call: answer only once Kafka has it.
                write.whenComplete(
                    (ok, failed) -> {
                      if (failed != null) {
                        notWritten(exchange, failed);
                      } else {
                        Responses.accepted(exchange, invocation, "running");
                      }
                    });
              } else {
                notWritten(exchange, error);
              }
            });
  }

  private void busy(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
    Responses.error(
        exchange,
        503,
        limits.maxCalls()
            + " calls are waiting for replies at this gateway (limits.maxPendingCalls); retry"
            + " later");
  }

  private void notWritten(HttpServerExchange exchange, Throwable error) {
    notWritten.incrementAndGet();
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

  /**
   * A W3C trace context header of the call, passed on as it came (the job ignores a malformed one);
   * empty when absent or too long.
   */
  private static String header(HttpServerExchange exchange, HttpString name, int maxLength) {
    String value = exchange.getRequestHeaders().getFirst(name);
    return value == null || value.length() > maxLength ? "" : value.trim();
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
}
