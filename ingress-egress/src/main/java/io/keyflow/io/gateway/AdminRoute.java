package io.keyflow.io.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import io.keyflow.io.Replies;
import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.control.ControlAnswer;
import io.keyflow.protocol.control.ControlRequest;
import io.keyflow.protocol.control.ControlRequest.Action;
import io.keyflow.protocol.gateway.GatewayRequest;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.schedule.Schedules;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The admin routes, apart from the call routes and with tokens of their own ({@code admin} in
 * module.yaml); without them every admin route answers 403.
 *
 * <ul>
 *   <li>{@code GET /v1/admin/addresses/{namespace}/{type}/{id}}: what the job holds for the address
 *       (its values, in-flight request, waiting messages, delayed messages, whether it is paused);
 *   <li>{@code POST /v1/admin/addresses/{namespace}/{type}/{id}/{action}}, the action one of {@code
 *       pause}, {@code resume}, {@code skip}, {@code delete-state} or {@code cancel-delay?token=T}.
 *       {@code skip} takes the request in flight, or with none the oldest waiting message; {@code
 *       skip?waiting} takes the oldest waiting message even while a request is in flight.
 *   <li>{@code GET /v1/admin/addresses/keyflow/schedules/{id}}: the schedule with that id, static
 *       or dynamic (target, timing, next fire, counts).
 * </ul>
 *
 * Each request travels to the job like a call (written to the request topic, keyed by the id) and
 * the dispatcher that owns the address answers it; the answer is JSON ({@link AdminJson}). A
 * request the job refuses is answered 409 with the reason. The function itself is never called.
 */
final class AdminRoute implements HttpHandler {
  static final String PREFIX = "/v1/admin/";
  static final HttpString REQUESTED_BY = new HttpString("X-Keyflow-Requested-By");
  private static final String REALM = "Bearer realm=\"keyflow-admin\"";
  private static final String SCHEME = "bearer ";
  private static final int MAX_REQUESTED_BY = 200;
  private static final String ROUTES =
      "GET /v1/admin/addresses/{namespace}/{type}/{id} or POST"
          + " /v1/admin/addresses/{namespace}/{type}/{id}/{pause|resume|skip[?waiting]|"
          + "delete-state|cancel-delay?token=T}";

  private static final Map<String, Action> ACTIONS =
      Map.of(
          "pause", Action.PAUSE,
          "resume", Action.RESUME,
          "skip", Action.SKIP,
          "delete-state", Action.DELETE_STATE,
          "cancel-delay", Action.CANCEL_DELAY);

  private final GatewaySpec spec;
  private final Module module;
  private final RequestLog requests;
  private final ReplyStore replies;
  private final WaitingLimits limits;
  private final BearerTokens tokens;

  /**
   * @param tokens the admin tokens, or null when module.yaml declares none (the routes are off)
   */
  AdminRoute(
      GatewaySpec spec,
      Module module,
      RequestLog requests,
      ReplyStore replies,
      WaitingLimits limits,
      BearerTokens tokens) {
    this.spec = spec;
    this.module = module;
    this.requests = requests;
    this.replies = replies;
    this.limits = limits;
    this.tokens = tokens;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (tokens == null) {
      Responses.error(
          exchange,
          403,
          "the admin routes of gateway "
              + spec.id()
              + " are off: declare admin tokens for the gateway in module.yaml (admin: tokensFile:"
              + " FILE, or admin: tokensEnv: VARIABLE) and restart it");
      return;
    }
    if (!authorized(exchange)) {
      return;
    }
    List<String> path;
    try {
      path = GatewayRoutes.segments(exchange.getRequestURI());
    } catch (IllegalArgumentException e) {
      Responses.error(exchange, 400, "the path is not URL-encoded correctly: " + e.getMessage());
      return;
    }
    // v1 admin addresses {namespace} {type} {id} [{action}]
    if (path.size() < 6 || path.size() > 7 || !path.get(2).equals("addresses")) {
      Responses.error(
          exchange,
          404,
          "no route " + exchange.getRequestURI() + "; the admin routes are " + ROUTES);
      return;
    }
    for (int i = 3; i < 6; i++) {
      if (path.get(i).isEmpty()) {
        Responses.error(
            exchange, 400, "the path names no complete address: namespace, type and id are needed");
        return;
      }
    }
    ControlRequest.Builder control = ControlRequest.newBuilder();
    if (path.size() == 6) {
      if (!exchange.getRequestMethod().equals(Methods.GET)) {
        Responses.error(exchange, 405, "an address is inspected with GET; actions use POST");
        return;
      }
      control.setAction(Action.INSPECT);
    } else {
      Action action = ACTIONS.get(path.get(6));
      if (action == null) {
        Responses.error(
            exchange,
            404,
            "unknown action '"
                + path.get(6)
                + "'; the actions are pause, resume, skip, delete-state and cancel-delay");
        return;
      }
      if (!exchange.getRequestMethod().equals(Methods.POST)) {
        Responses.error(exchange, 405, "the action " + path.get(6) + " is taken with POST");
        return;
      }
      control.setAction(action);
      if (action == Action.CANCEL_DELAY) {
        Deque<String> token = exchange.getQueryParameters().get("token");
        if (token == null || token.isEmpty() || token.getFirst().isEmpty()) {
          Responses.error(
              exchange,
              400,
              "cancel-delay needs the delayed message's cancellation token: ?token=TOKEN (inspect"
                  + " the address to see its delayed messages and their tokens)");
          return;
        }
        control.setCancellationToken(token.getFirst());
      }
      if (action == Action.SKIP) {
        Deque<String> waiting = exchange.getQueryParameters().get("waiting");
        if (waiting != null && !waiting.isEmpty()) {
          String flag = waiting.getFirst();
          if (!flag.isEmpty() && !flag.equals("true") && !flag.equals("false")) {
            Responses.error(
                exchange,
                400,
                "skip?waiting="
                    + flag
                    + " is not accepted: ?waiting (or ?waiting=true) skips the oldest waiting"
                    + " message even while a request is in flight");
            return;
          }
          control.setOldestWaiting(!flag.equals("false"));
        }
      }
    }
    TypeName function;
    try {
      function = new TypeName(path.get(3), path.get(4));
    } catch (IllegalArgumentException e) {
      Responses.error(exchange, 400, e.getMessage());
      return;
    }
    if (function.equals(Schedules.ADDRESS)) {
      if (control.getAction() != Action.INSPECT) {
        Responses.error(
            exchange,
            405,
            "a schedule is inspected with GET; it is created, changed and deleted by messages to "
                + Schedules.ADDRESS
                + "/<id> or in module.yaml");
        return;
      }
    } else if (module.endpointFor(function).isEmpty()) {
      Responses.error(
          exchange,
          404,
          "no endpoint of the module serves function type "
              + function
              + ", so the job holds nothing for it");
      return;
    }
    Duration wait = WaitParameter.read(exchange, spec.defaultWait(), spec.maxWait());
    if (wait == null) {
      return;
    }
    control.setRequestedBy(requestedBy(exchange));
    Address target =
        Address.newBuilder()
            .setNamespace(function.namespace())
            .setType(function.name())
            .setId(path.get(5))
            .build();
    send(exchange, target, control.build(), wait);
  }

  private void send(
      HttpServerExchange exchange, Address target, ControlRequest control, Duration wait) {
    if (!limits.tryCall()) {
      exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
      Responses.error(
          exchange,
          503,
          limits.maxCalls() + " calls are waiting for replies at this gateway; retry later");
      return;
    }
    exchange.dispatch();
    String invocation = InvocationIds.random();
    GatewayRequest request =
        GatewayRequest.newBuilder()
            .setTarget(target)
            .setInvocationId(invocation)
            .setAcceptedAtMillis(System.currentTimeMillis())
            .setControl(control)
            .build();
    // Wait before writing, so that a quick answer cannot pass unseen.
    CompletableFuture<ReplyStore.Reply> reply = replies.await(invocation);
    requests
        .write(request)
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                reply.completeExceptionally(error);
              }
            });
    reply
        .orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (answer, error) -> {
              limits.callDone();
              if (answer != null) {
                answer(exchange, answer);
                return;
              }
              replies.forget(invocation, reply);
              if (error instanceof TimeoutException) {
                exchange.getResponseHeaders().put(Responses.INVOCATION_ID, invocation);
                Responses.error(
                    exchange,
                    504,
                    "the job did not answer within "
                        + wait.toMillis()
                        + " ms; the request is written and the job applies it once it reads it."
                        + " Inspect the address to see whether it has");
              } else {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
                Responses.error(
                    exchange,
                    503,
                    "the request was not made: it could not be written to Kafka topic "
                        + spec.requestTopic()
                        + " ("
                        + cause.getMessage()
                        + ")");
              }
            });
  }

  private static void answer(HttpServerExchange exchange, ReplyStore.Reply reply) {
    if (!reply.typename().equals(Replies.CONTROL_ANSWER_TYPENAME)) {
      Responses.error(exchange, 502, "the job answered with a " + reply.typename());
      return;
    }
    ControlAnswer answer;
    try {
      answer = ControlAnswer.parseFrom(reply.value());
    } catch (InvalidProtocolBufferException e) {
      Responses.error(exchange, 502, "the job's answer does not parse: " + e.getMessage());
      return;
    }
    if (!answer.getError().isEmpty()) {
      Responses.error(exchange, 409, answer.getError());
      return;
    }
    Responses.json(exchange, 200, AdminJson.answer(answer));
  }

  private boolean authorized(HttpServerExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    if (authorization == null
        || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, REALM);
      Responses.error(
          exchange,
          401,
          "the admin routes need an admin token: send the header Authorization: Bearer <token>");
      return false;
    }
    if (!tokens.accepts(authorization.substring(SCHEME.length()).strip())) {
      exchange
          .getResponseHeaders()
          .put(Headers.WWW_AUTHENTICATE, REALM + ", error=\"invalid_token\"");
      Responses.error(exchange, 401, "the bearer token is not an admin token of this gateway");
      return false;
    }
    return true;
  }

  /** Who asked, for the job's audit log: the caller's own words and where the request came from. */
  private String requestedBy(HttpServerExchange exchange) {
    String named = exchange.getRequestHeaders().getFirst(REQUESTED_BY);
    String who =
        named == null || named.isBlank()
            ? "an admin token holder"
            : named.strip().replaceAll("\\p{Cntrl}", "?");
    if (who.length() > MAX_REQUESTED_BY) {
      who = who.substring(0, MAX_REQUESTED_BY);
    }
    InetSocketAddress from = exchange.getSourceAddress();
    return who
        + " via gateway "
        + spec.id()
        + (from == null ? "" : " from " + from.getAddress().getHostAddress());
  }
}
