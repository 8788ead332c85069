package io.keyflow.io.gateway;

import io.keyflow.io.kafka.DeclaredTopics;
import io.keyflow.io.kafka.TopicsDeclaration;
import io.keyflow.module.FunctionPattern;
import io.keyflow.module.TypeName;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A gateway as {@code module.yaml} declares it ({@code io.keyflow.gateway.v1/http}): what the job
 * needs (the topics, the reply delivery, the idempotency window) and what the gateway server needs
 * (where to listen, how long to wait, its limits).
 *
 * @param id the gateway's id, which is also the id of the ingress that reads its requests
 * @param bootstrapServers the Kafka cluster of both topics
 * @param listenHost the address the server binds
 * @param listenPort the port the server binds
 * @param requestTopic where the gateway writes calls; the job reads them from there
 * @param replyTopic where the job writes replies; every gateway instance reads all of it
 * @param exactlyOnceReplies replies are written in Kafka transactions and read with {@code
 *     read_committed}; otherwise at least once, visible sooner
 * @param transactionalIdPrefix for exactly-once replies
 * @param defaultWait how long a call waits for its reply before it is answered 202
 * @param maxWait the longest wait a request may ask for with {@code ?wait=}
 * @param idempotencyTtl how long an Idempotency-Key and a reply are remembered
 * @param maxBodyBytes the largest request body accepted
 * @param maxPendingCalls calls one gateway instance lets wait at once; more are refused with 503
 * @param maxWaitingFetches fetches ({@code GET /v1/invocations/{id}?wait=}) one gateway instance
 *     lets wait at once, apart from the calls; more are refused with 503
 * @param headersTimeout how long a connection may take to send a request's line and headers
 * @param idleConnectionTimeout how long a kept-alive connection may stay without a request
 * @param maxKeptReplies replies one gateway instance keeps for late fetches and retries
 * @param functions the function types the gateway lets callers reach; empty for every type the
 *     module's endpoints serve
 * @param properties Kafka client properties for the gateway's producer and consumer and the job's
 *     source and sink (security settings, for instance)
 * @param auth where the bearer tokens callers must present come from, if any
 * @param admin where the bearer tokens of the admin routes ({@code /v1/admin/...}: inspection and
 *     control of single addresses) come from; {@link GatewayAuth#none()}: the admin routes are off
 * @param tls the listener's certificate and key, if it serves HTTPS
 */
public record GatewaySpec(
    TypeName id,
    String bootstrapServers,
    String listenHost,
    int listenPort,
    String requestTopic,
    String replyTopic,
    boolean exactlyOnceReplies,
    String transactionalIdPrefix,
    Duration defaultWait,
    Duration maxWait,
    Duration idempotencyTtl,
    long maxBodyBytes,
    int maxPendingCalls,
    int maxWaitingFetches,
    Duration headersTimeout,
    Duration idleConnectionTimeout,
    int maxKeptReplies,
    List<FunctionPattern> functions,
    Map<String, String> properties,
    GatewayAuth auth,
    GatewayAuth admin,
    GatewayTls tls)
    implements Serializable {

  public GatewaySpec {
    functions = List.copyOf(functions);
    properties = Map.copyOf(properties);
    Objects.requireNonNull(auth, "auth; GatewayAuth.none() for none");
    Objects.requireNonNull(admin, "admin; GatewayAuth.none() for none");
    Objects.requireNonNull(tls, "tls; GatewayTls.none() for none");
  }

  /** Whether callers may reach {@code type} through this gateway. */
  public boolean exposes(TypeName type) {
    return functions.isEmpty() || functions.stream().anyMatch(pattern -> pattern.matches(type));
  }

  /**
   * The same gateway with more Kafka client properties for its own producer and consumer, as {@code
   * keyflow gateway --property} gives them; {@code bootstrap.servers} among them replaces the
   * module's address.
   */
  public GatewaySpec withClientProperties(Map<String, String> extra) {
    java.util.Map<String, String> merged = new java.util.LinkedHashMap<>(properties);
    merged.putAll(extra);
    return with(
        merged.getOrDefault("bootstrap.servers", bootstrapServers), listenHost, listenPort, merged);
  }

  /** The same gateway listening elsewhere, as {@code keyflow gateway --listen} asks. */
  public GatewaySpec listeningOn(ListenAddress listen) {
    return with(bootstrapServers, listen.host(), listen.port(), properties);
  }

  /** This gateway with another Kafka address, listen address and client properties. */
  private GatewaySpec with(
      String servers, String host, int port, Map<String, String> clientProperties) {
    return new GatewaySpec(
        id,
        servers,
        host,
        port,
        requestTopic,
        replyTopic,
        exactlyOnceReplies,
        transactionalIdPrefix,
        defaultWait,
        maxWait,
        idempotencyTtl,
        maxBodyBytes,
        maxPendingCalls,
        maxWaitingFetches,
        headersTimeout,
        idleConnectionTimeout,
        maxKeptReplies,
        functions,
        clientProperties,
        auth,
        admin,
        tls);
  }

  /**
   * How document {@code document} of {@code file} declares one of this gateway's topics, in its
   * {@code field}, for an error about that topic: the gateway relates to it as {@code verb} says
   * and {@code use}s it as it starts; {@code otherFix} is the fix other than creating the topic.
   */
  TopicsDeclaration topicDeclaration(
      String file,
      int document,
      String field,
      String verb,
      TopicsDeclaration.Use use,
      String otherFix) {
    return new TopicsDeclaration(
        file, document, GatewayBinder.KIND, field, "gateway " + id, verb, use, otherFix);
  }

  /** {@code topic} on this gateway's Kafka, as {@code declared}. */
  DeclaredTopics declaredTopic(String topic, TopicsDeclaration declared) {
    return new DeclaredTopics(List.of(topic), bootstrapServers, properties, declared);
  }
}
