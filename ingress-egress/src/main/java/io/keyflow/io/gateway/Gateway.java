package io.keyflow.io.gateway;

import io.keyflow.io.StartCheck;
import io.keyflow.module.Module;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running HTTP gateway: calls functions over HTTP through Kafka and answers with their replies.
 * Any number of instances may serve the same gateway; each reads all replies, so a fetch or a retry
 * may reach any of them.
 *
 * <pre>{@code
 * Module module = ModuleLoader.load("module.yaml");
 * try (Gateway gateway = Gateway.start(Gateway.declaredIn(module).orElseThrow(), module)) {
 *   ...
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final GatewaySpec spec;
  private final RequestLog requests;
  private final ReplyListener listener;
  private final Undertow server;

  private Gateway(GatewaySpec spec, RequestLog requests, ReplyListener listener, Undertow server) {
    this.spec = spec;
    this.requests = requests;
    this.listener = listener;
    this.server = server;
  }

  /** The gateway a module declares, if any. */
  public static Optional<GatewaySpec> declaredIn(Module module) {
    return module.ingresses().stream()
        .filter(GatewayIngress.class::isInstance)
        .map(ingress -> ((GatewayIngress) ingress).spec())
        .findFirst();
  }

  /**
   * Refuses to serve {@code spec} while its request or reply topic does not exist, naming where
   * {@code module} declares the topic and the fix: calls written to a missing request topic reach
   * no function, and no reply can be read from a missing reply topic. Kafka is asked once about
   * both, for at most 5 s; a Kafka that does not answer in that time is only warned about, and the
   * gateway serves as it would without the check.
   *
   * @param spec the gateway as it is to serve, with the client properties given to it
   * @param module the module that declares it
   * @throws io.keyflow.module.ModuleException naming the file, document, field, gateway, topic and
   *     fix, when Kafka answers that a topic does not exist
   */
  public static void checkTopics(GatewaySpec spec, Module module) {
    GatewayIngress declared =
        module.ingresses().stream()
            .filter(GatewayIngress.class::isInstance)
            .map(GatewayIngress.class::cast)
            .filter(ingress -> ingress.id().equals(spec.id()))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        module.source() + " declares no gateway " + spec.id()));
    StartCheck.runAll(ServingTopics.of(spec, declared.file(), declared.document()));
  }

  /**
   * Starts a gateway instance: reads the replies of the idempotency window (waiting up to {@code
   * catchUp} for them), then listens.
   */
  public static Gateway start(GatewaySpec spec, Module module, Duration catchUp)
      throws InterruptedException {
    BearerTokens tokens = spec.auth().required() ? BearerTokens.load(spec, System::getenv) : null;
    BearerTokens adminTokens =
        spec.admin().required()
            ? BearerTokens.load(spec, spec.admin(), "admin", System::getenv)
            : null;
    ReplyStore replies =
        new ReplyStore(
            spec.maxKeptReplies(), spec.idempotencyTtl().toMillis(), System::currentTimeMillis);
    ReplyListener listener = new ReplyListener(spec, replies);
    RequestLog requests = null;
    try {
      listener.start();
      if (!listener.awaitCaughtUp(catchUp)) {
        LOG.warn(
            "Gateway {} has not read the recent replies of {} within {}; it serves calls"
                + " meanwhile, and retried calls it cannot answer yet wait for their reply",
            spec.id(),
            spec.replyTopic(),
            catchUp);
      }
      requests = new RequestLog(spec);
      Undertow server =
          GatewayListener.build(
              spec, handler(spec, module, requests, replies, listener, tokens, adminTokens));
      try {
        server.start();
      } catch (RuntimeException e) {
        if (e.getCause() instanceof java.net.BindException bind) {
          throw new IllegalStateException(
              "gateway "
                  + spec.id()
                  + " cannot listen on "
                  + spec.listenHost()
                  + ":"
                  + spec.listenPort()
                  + " ("
                  + bind.getMessage()
                  + "); change its listen address in module.yaml, or start it with keyflow"
                  + " gateway --listen HOST:PORT",
              e);
        }
        throw e;
      }
      Gateway gateway = new Gateway(spec, requests, listener, server);
      LOG.info(
          "Gateway {} listening on {} ({}; admin routes {}); calls to {}, replies from {} ({})",
          spec.id(),
          gateway.baseUrl(),
          spec.auth().required() ? "bearer tokens required" : "no authentication",
          adminTokens != null ? "on" : "off",
          spec.requestTopic(),
          spec.replyTopic(),
          spec.exactlyOnceReplies() ? "exactly-once" : "at-least-once");
      return gateway;
    } catch (RuntimeException | InterruptedException e) {
      if (requests != null) {
        requests.close();
      }
      listener.close();
      throw e;
    }
  }

  private static HttpHandler handler(
      GatewaySpec spec,
      Module module,
      RequestLog requests,
      ReplyStore replies,
      ReplyListener listener,
      BearerTokens tokens,
      BearerTokens adminTokens) {
    WaitingLimits limits = new WaitingLimits(spec.maxPendingCalls(), spec.maxWaitingFetches());
    CallRoute calls = new CallRoute(spec, module, requests, replies, limits);
    HttpHandler routes =
        new GatewayRoutes(
            calls,
            new FetchRoute(spec, replies, limits),
            new StatusRoute(spec, replies, listener, limits, calls));
    HttpHandler callRoutes = tokens == null ? routes : new BearerAuth(tokens, routes);
    // The admin routes check tokens of their own: a caller's token grants no admin access.
    AdminRoute admin = new AdminRoute(spec, module, requests, replies, limits, adminTokens);
    return exchange -> {
      String path = exchange.getRequestPath();
      if (path.startsWith(AdminRoute.PREFIX) || path.equals("/v1/admin")) {
        admin.handleRequest(exchange);
      } else {
        callRoutes.handleRequest(exchange);
      }
    };
  }

  public GatewaySpec spec() {
    return spec;
  }

  /** The port it listens on (the one asked for, or the one chosen for port 0). */
  public int port() {
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** For example {@code http://127.0.0.1:8080}, or {@code https://...} with TLS. */
  public String baseUrl() {
    InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
    return (spec.tls().enabled() ? "https" : "http")
        + "://"
        + address.getHostString()
        + ":"
        + address.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.stop();
    requests.close();
    listener.close();
  }
}
