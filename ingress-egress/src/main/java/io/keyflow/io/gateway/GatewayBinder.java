package io.keyflow.io.gateway;

import io.keyflow.io.kafka.KafkaSpecs;
import io.keyflow.module.Component;
import io.keyflow.module.ComponentBinder;
import io.keyflow.module.FunctionPattern;
import io.keyflow.module.TypeName;
import io.keyflow.module.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads kind {@code io.keyflow.gateway.v1/http}: an HTTP gateway that calls functions and returns
 * their replies.
 *
 * <pre>{@code
 * kind: io.keyflow.gateway.v1/http
 * spec:
 *   id: shop/gateway                # default keyflow/gateway
 *   address: kafka:9092             # or bootstrap.servers in properties
 *   listen: 0.0.0.0:8080            # default 127.0.0.1:8080 (this machine only)
 *   requestTopic: shop-calls
 *   replyTopic: shop-replies
 *   functions: [shop/cart, shop/checkout]   # default: every type the module's endpoints serve
 *   replies: exactly-once           # default; or at-least-once (sooner, may repeat after a failure)
 *   transactionalIdPrefix: shop-gw  # exactly-once; default keyflow-gateway-<namespace>-<name>
 *   timeouts:
 *     wait: 30 s                    # then 202 with the invocation id
 *     maxWait: 5 min                # the most a request may ask for with ?wait=
 *     headers: 10 s                 # a request's line and headers must arrive within this
 *     idleConnection: 60 s          # a kept-alive connection without a request is closed
 *   idempotencyTtl: 24 h            # how long Idempotency-Keys and replies are remembered
 *   limits:
 *     maxBodyBytes: 1048576
 *     maxPendingCalls: 10000        # per gateway instance; more get 503
 *     maxWaitingFetches: 1000       # GET /v1/invocations/{id}?wait=, apart from calls; more get 503
 *     maxKeptReplies: 100000        # per gateway instance
 *   auth:                           # optional: callers send Authorization: Bearer <token>
 *     tokensFile: /etc/keyflow/gateway-tokens   # one token per line; or tokensEnv: VARIABLE
 *   admin:                          # optional: turns on /v1/admin/... (inspect and control)
 *     tokensEnv: KEYFLOW_ADMIN_TOKENS           # or tokensFile; tokens apart from auth's
 *   tls:                            # optional: the listener serves HTTPS
 *     cert: /etc/keyflow/gateway.pem
 *     key: /etc/keyflow/gateway.key # PKCS#8; keyPassword: a file with its password, if encrypted
 *   properties:
 *     - security.protocol: SSL
 * }</pre>
 */
public final class GatewayBinder implements ComponentBinder {
  public static final String KIND = "io.keyflow.gateway.v1/http";
  static final TypeName DEFAULT_ID = new TypeName("keyflow", "gateway");
  static final int DEFAULT_PORT = 8080;

  /** Only this machine: serving others is a choice made in {@code listen}. */
  static final String DEFAULT_HOST = "127.0.0.1";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Component bind(YamlNode spec) {
    spec.allowOnlyKeys(
        "id",
        "address",
        "listen",
        "requestTopic",
        "replyTopic",
        "replies",
        "transactionalIdPrefix",
        "timeouts",
        "idempotencyTtl",
        "limits",
        "functions",
        "properties",
        "auth",
        "admin",
        "tls");
    TypeName id = spec.has("id") ? spec.requireTypeName("id") : DEFAULT_ID;
    Map<String, String> properties = new LinkedHashMap<>(spec.optionalProperties("properties"));
    String servers = KafkaSpecs.bootstrapServers(spec, properties);
    String listenText = spec.optionalString("listen").orElse(DEFAULT_HOST + ":" + DEFAULT_PORT);
    ListenAddress listen = ListenAddress.parseOrNull(listenText);
    if (listen == null) {
      throw spec.error(
          "listen", "'" + listenText + "' is not host:port", "host:port such as 0.0.0.0:8080");
    }
    String requestTopic = spec.requireString("requestTopic");
    String replyTopic = spec.requireString("replyTopic");
    if (requestTopic.equals(replyTopic)) {
      throw spec.error(
          "replyTopic",
          "is the request topic " + requestTopic,
          "a topic of its own for replies, such as " + requestTopic + "-replies");
    }
    String replies = spec.optionalString("replies").orElse("exactly-once");
    if (!replies.equals("exactly-once") && !replies.equals("at-least-once")) {
      throw spec.error("replies", "'" + replies + "' is unknown", "exactly-once or at-least-once");
    }
    Duration wait = Duration.ofSeconds(30);
    Duration maxWait = Duration.ofMinutes(5);
    Duration headers = Duration.ofSeconds(10);
    Duration idleConnection = Duration.ofSeconds(60);
    var timeouts = spec.optionalObject("timeouts");
    if (timeouts.isPresent()) {
      YamlNode node = timeouts.get();
      node.allowOnlyKeys("wait", "maxWait", "headers", "idleConnection");
      wait = positive(node, "wait", node.optionalDuration("wait", wait));
      maxWait = positive(node, "maxWait", node.optionalDuration("maxWait", maxWait));
      headers = positive(node, "headers", node.optionalDuration("headers", headers));
      idleConnection =
          positive(node, "idleConnection", node.optionalDuration("idleConnection", idleConnection));
      if (maxWait.compareTo(wait) < 0) {
        throw node.error("maxWait", "is shorter than wait", "at least the wait, " + wait);
      }
    }
    Duration ttl =
        positive(
            spec, "idempotencyTtl", spec.optionalDuration("idempotencyTtl", Duration.ofHours(24)));
    long maxBody = 1 << 20;
    int maxPending = 10_000;
    int maxFetches = 1_000;
    int maxKept = 100_000;
    var limits = spec.optionalObject("limits");
    if (limits.isPresent()) {
      YamlNode node = limits.get();
      node.allowOnlyKeys("maxBodyBytes", "maxPendingCalls", "maxWaitingFetches", "maxKeptReplies");
      maxFetches =
          (int)
              atLeastOne(
                  node, "maxWaitingFetches", node.optionalInt("maxWaitingFetches", maxFetches));
      maxBody = atLeastOne(node, "maxBodyBytes", node.optionalLong("maxBodyBytes", maxBody));
      maxPending =
          (int)
              atLeastOne(node, "maxPendingCalls", node.optionalInt("maxPendingCalls", maxPending));
      maxKept =
          (int) atLeastOne(node, "maxKeptReplies", node.optionalInt("maxKeptReplies", maxKept));
    }
    List<FunctionPattern> functions = new ArrayList<>();
    if (spec.has("functions")) {
      for (String pattern : spec.requireStringList("functions")) {
        try {
          functions.add(FunctionPattern.parse(pattern));
        } catch (IllegalArgumentException e) {
          throw spec.error("functions", e.getMessage(), FunctionPattern.EXPECTED);
        }
      }
    }
    String prefix =
        spec.optionalString("transactionalIdPrefix")
            .orElse("keyflow-gateway-" + id.namespace() + "-" + id.name());
    GatewaySpec gateway =
        new GatewaySpec(
            id,
            servers,
            listen.host(),
            listen.port(),
            requestTopic,
            replyTopic,
            replies.equals("exactly-once"),
            prefix,
            wait,
            maxWait,
            ttl,
            maxBody,
            maxPending,
            maxFetches,
            headers,
            idleConnection,
            maxKept,
            functions,
            properties,
            auth(spec, "auth"),
            auth(spec, "admin"),
            tls(spec));
    return new GatewayComponents(gateway, spec.file(), spec.document());
  }

  /** Reads {@code auth} or {@code admin}: where a set of bearer tokens comes from. */
  private static GatewayAuth auth(YamlNode spec, String field) {
    var auth = spec.optionalObject(field);
    if (auth.isEmpty()) {
      return GatewayAuth.none();
    }
    YamlNode node = auth.get();
    for (String inline : new String[] {"token", "tokens"}) {
      if (node.has(inline)) {
        throw node.error(
            inline,
            "tokens are never written in module.yaml",
            "tokensFile: a file with one token per line, or tokensEnv: the name of an environment"
                + " variable that holds them");
      }
    }
    node.allowOnlyKeys("tokensFile", "tokensEnv");
    var file = node.optionalString("tokensFile");
    var env = node.optionalString("tokensEnv");
    if (file.isPresent() == env.isPresent()) {
      throw node.error(
          null,
          file.isPresent() ? "names both tokensFile and tokensEnv" : "names no source of tokens",
          "one of tokensFile: a file with one token per line, or tokensEnv: the name of an"
              + " environment variable that holds them");
    }
    if (env.isPresent() && !env.get().matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw node.error(
          "tokensEnv",
          "'" + env.get() + "' is not the name of an environment variable",
          "a name such as KEYFLOW_GATEWAY_TOKENS (the variable holds the tokens)");
    }
    return new GatewayAuth(file.orElse(null), env.orElse(null));
  }

  private static GatewayTls tls(YamlNode spec) {
    var tls = spec.optionalObject("tls");
    if (tls.isEmpty()) {
      return GatewayTls.none();
    }
    YamlNode node = tls.get();
    node.allowOnlyKeys("cert", "key", "keyPassword");
    if (!node.has("cert") || !node.has("key")) {
      throw node.error(
          node.has("cert") ? "key" : "cert",
          "missing",
          "both cert (a PEM certificate chain) and key (its PKCS#8 PEM key)");
    }
    return new GatewayTls(
        node.requireString("cert"),
        node.requireString("key"),
        node.optionalString("keyPassword").orElse(null));
  }

  private static Duration positive(YamlNode node, String key, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw node.error(key, "must be positive", "a duration such as 30 s");
    }
    return value;
  }

  private static long atLeastOne(YamlNode node, String key, long value) {
    if (value < 1) {
      throw node.error(key, "must be at least 1", "a positive number");
    }
    return value;
  }
}
