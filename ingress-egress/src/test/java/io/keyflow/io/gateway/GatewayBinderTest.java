package io.keyflow.io.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.io.Replies;
import io.keyflow.io.StartCheck;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleException;
import io.keyflow.module.ModuleLoader;
import io.keyflow.module.TypeName;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayBinderTest {

  private static Module module(String spec) {
    return ModuleLoader.parse(
        "module.yaml", "kind: io.keyflow.gateway.v1/http\nspec:\n" + spec.indent(2));
  }

  private static GatewaySpec gateway(String spec) {
    return Gateway.declaredIn(module(spec)).orElseThrow();
  }

  private static final String MINIMAL =
      """
      address: kafka:9092
      requestTopic: calls
      replyTopic: replies
      """;

  @Test
  void aGatewayIsAnIngressOfCallsAndTheReplyEgressWithSafeDefaults() {
    Module module = module(MINIMAL);

    assertThat(module.ingresses()).singleElement().isInstanceOf(GatewayIngress.class);
    assertThat(module.egresses()).singleElement().isInstanceOf(ReplyEgress.class);
    assertThat(module.egresses().get(0).id()).isEqualTo(Replies.EGRESS);
    GatewaySpec spec = gateway(MINIMAL);
    assertThat(spec.id()).isEqualTo(new TypeName("keyflow", "gateway"));
    assertThat(spec.listenHost()).isEqualTo("127.0.0.1");
    assertThat(spec.listenPort()).isEqualTo(8080);
    assertThat(spec.maxPendingCalls()).isEqualTo(10_000);
    assertThat(spec.maxWaitingFetches()).isEqualTo(1_000);
    assertThat(spec.headersTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(spec.idleConnectionTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(spec.auth().required()).isFalse();
    assertThat(spec.tls().enabled()).isFalse();
    assertThat(spec.exactlyOnceReplies()).isTrue();
    assertThat(((ReplyEgress) module.egresses().get(0)).requiresCheckpointing()).isTrue();
    assertThat(spec.defaultWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.maxWait()).isEqualTo(Duration.ofMinutes(5));
    assertThat(spec.idempotencyTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(spec.maxBodyBytes()).isEqualTo(1 << 20);
    assertThat(spec.exposes(new TypeName("any", "type"))).isTrue();
    assertThat(spec.transactionalIdPrefix()).isEqualTo("keyflow-gateway-keyflow-gateway");
  }

  @Test
  void everySettingIsRead() {
    GatewaySpec spec =
        gateway(
            """
            id: shop/gateway
            address: kafka:9092
            listen: 127.0.0.1:9000
            requestTopic: calls
            replyTopic: replies
            replies: at-least-once
            functions: [shop/cart, billing/*]
            timeouts:
              wait: 5 s
              maxWait: 1 min
              headers: 3 s
              idleConnection: 20 s
            idempotencyTtl: 2 h
            limits:
              maxBodyBytes: 4096
              maxPendingCalls: 7
              maxWaitingFetches: 8
              maxKeptReplies: 9
            auth:
              tokensEnv: GATEWAY_TOKENS
            tls:
              cert: /etc/keyflow/gateway.pem
              key: /etc/keyflow/gateway.key
              keyPassword: /etc/keyflow/gateway.key.password
            properties:
              - security.protocol: PLAINTEXT
            """);

    assertThat(spec.id()).isEqualTo(new TypeName("shop", "gateway"));
    assertThat(spec.listenHost()).isEqualTo("127.0.0.1");
    assertThat(spec.listenPort()).isEqualTo(9000);
    assertThat(spec.exactlyOnceReplies()).isFalse();
    assertThat(spec.exposes(new TypeName("shop", "cart"))).isTrue();
    assertThat(spec.exposes(new TypeName("billing", "invoice"))).isTrue();
    assertThat(spec.exposes(new TypeName("shop", "inventory"))).isFalse();
    assertThat(spec.defaultWait()).isEqualTo(Duration.ofSeconds(5));
    assertThat(spec.maxWait()).isEqualTo(Duration.ofMinutes(1));
    assertThat(spec.idempotencyTtl()).isEqualTo(Duration.ofHours(2));
    assertThat(spec.maxBodyBytes()).isEqualTo(4096);
    assertThat(spec.maxPendingCalls()).isEqualTo(7);
    assertThat(spec.maxKeptReplies()).isEqualTo(9);
    assertThat(spec.maxWaitingFetches()).isEqualTo(8);
    assertThat(spec.headersTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(spec.idleConnectionTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(spec.auth()).isEqualTo(new GatewayAuth(null, "GATEWAY_TOKENS"));
    assertThat(spec.tls())
        .isEqualTo(
            new GatewayTls(
                "/etc/keyflow/gateway.pem",
                "/etc/keyflow/gateway.key",
                "/etc/keyflow/gateway.key.password"));
    assertThat(spec.properties()).containsEntry("security.protocol", "PLAINTEXT");
  }

  @Test
  void mistakesNameTheFieldAndTheFix() {
    assertThatThrownBy(() -> module(MINIMAL + "replyTopik: x\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("replyTopik")
        .hasMessageContaining("replyTopic");
    assertThatThrownBy(() -> module("address: kafka:9092\nrequestTopic: calls\n"))
        .hasMessageContaining("replyTopic")
        .hasMessageContaining("missing");
    assertThatThrownBy(
            () -> module("address: kafka:9092\nrequestTopic: calls\nreplyTopic: calls\n"))
        .hasMessageContaining("is the request topic calls");
    assertThatThrownBy(() -> module(MINIMAL + "listen: 8080\n"))
        .hasMessageContaining("listen")
        .hasMessageContaining("host:port");
    assertThatThrownBy(() -> module(MINIMAL + "replies: twice\n"))
        .hasMessageContaining("exactly-once or at-least-once");
    assertThatThrownBy(() -> module(MINIMAL + "timeouts:\n  wait: 2 min\n  maxWait: 1 min\n"))
        .hasMessageContaining("maxWait")
        .hasMessageContaining("shorter than wait");
    assertThatThrownBy(() -> module(MINIMAL + "limits:\n  maxPendingCalls: 0\n"))
        .hasMessageContaining("maxPendingCalls")
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> module(MINIMAL + "functions: [shop/ca*]\n"))
        .hasMessageContaining("functions")
        .hasMessageContaining("wildcard");
    assertThatThrownBy(() -> module("requestTopic: calls\nreplyTopic: replies\n"))
        .hasMessageContaining("address")
        .hasMessageContaining("bootstrap.servers");
  }

  @Test
  void adminTokensTurnTheAdminRoutesOnApartFromTheCallersTokens() {
    assertThat(gateway(MINIMAL).admin().required()).as("off by default").isFalse();
    GatewaySpec spec =
        gateway(MINIMAL + "auth:\n  tokensEnv: CALLERS\nadmin:\n  tokensFile: /etc/admin\n");
    assertThat(spec.auth()).isEqualTo(new GatewayAuth(null, "CALLERS"));
    assertThat(spec.admin()).isEqualTo(new GatewayAuth("/etc/admin", null));
  }

  @Test
  void adminMistakesNameTheFieldAndTheFix() {
    assertThatThrownBy(() -> module(MINIMAL + "admin:\n  token: secret\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("admin.token")
        .hasMessageContaining("never written in module.yaml")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> module(MINIMAL + "admin: {}\n"))
        .hasMessageContaining("admin")
        .hasMessageContaining("names no source of tokens");
    assertThatThrownBy(() -> module(MINIMAL + "admin:\n  tokensEnv: not a name\n"))
        .hasMessageContaining("admin.tokensEnv");
  }

  @Test
  void authAndTlsMistakesNameTheFieldAndTheFix() {
    assertThatThrownBy(() -> module(MINIMAL + "auth:\n  tokens: [secret]\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("module.yaml, document 1")
        .hasMessageContaining("auth.tokens")
        .hasMessageContaining("never written in module.yaml")
        .hasMessageContaining("tokensFile")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> module(MINIMAL + "auth: {}\n"))
        .hasMessageContaining("auth")
        .hasMessageContaining("names no source of tokens");
    assertThatThrownBy(() -> module(MINIMAL + "auth:\n  tokensFile: t\n  tokensEnv: T\n"))
        .hasMessageContaining("names both tokensFile and tokensEnv");
    assertThatThrownBy(() -> module(MINIMAL + "auth:\n  tokensEnv: not a name\n"))
        .hasMessageContaining("auth.tokensEnv")
        .hasMessageContaining("KEYFLOW_GATEWAY_TOKENS");
    assertThatThrownBy(() -> module(MINIMAL + "tls:\n  cert: gateway.pem\n"))
        .hasMessageContaining("tls.key")
        .hasMessageContaining("missing")
        .hasMessageContaining("PKCS#8");
    assertThatThrownBy(() -> module(MINIMAL + "tls:\n  cert: a\n  key: b\n  password: c\n"))
        .hasMessageContaining("tls.password")
        .hasMessageContaining("keyPassword");
    assertThatThrownBy(() -> module(MINIMAL + "limits:\n  maxWaitingFetches: 0\n"))
        .hasMessageContaining("limits.maxWaitingFetches")
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> module(MINIMAL + "timeouts:\n  headers: 0 s\n"))
        .hasMessageContaining("timeouts.headers")
        .hasMessageContaining("must be positive");
  }

  @Test
  void twoGatewaysInOneModuleAreRefused() {
    assertThatThrownBy(
            () ->
                ModuleLoader.parse(
                    "module.yaml",
                    ("kind: io.keyflow.gateway.v1/http\nspec:\n" + MINIMAL.indent(2))
                        + "---\n"
                        + ("kind: io.keyflow.gateway.v1/http\nspec:\n"
                            + ("id: other/gateway\n" + MINIMAL).indent(2))))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("document 2")
        .hasMessageContaining("keyflow/reply");
  }

  @Test
  void clientPropertiesGivenOnTheCommandLineOverrideTheModulesAddressAndProperties() {
    GatewaySpec spec =
        gateway(MINIMAL + "properties:\n  - security.protocol: SSL\n  - client.rack: a\n")
            .withClientProperties(
                java.util.Map.of(
                    "bootstrap.servers", "secure:9093", "security.protocol", "SASL_SSL"));

    assertThat(spec.bootstrapServers()).isEqualTo("secure:9093");
    assertThat(spec.properties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("client.rack", "a");
  }

  @Test
  void aMissingRequestTopicIsRefusedNamingTheFileDocumentFieldGatewayTopicAndTheFixes() {
    GatewayIngress calls = (GatewayIngress) module(MINIMAL).ingresses().get(0);

    String message = calls.requestTopic().refusal(List.of("calls")).getMessage();

    assertThat(calls.requestTopic().topics()).containsExactly("calls");
    assertThat(message)
        .startsWith("module.yaml, document 1 (io.keyflow.gateway.v1/http), spec.requestTopic: ")
        .contains(
            "gateway keyflow/gateway reads its calls from topic calls, which does not exist on"
                + " kafka:9092. Its Kafka source looks up the partitions of each of its topics")
        .contains("until it exists; expected the topic created before the job starts")
        .contains("kafka-topics.sh --bootstrap-server kafka:9092 --create --topic calls")
        .contains("or spec.requestTopic naming a topic that exists")
        .doesNotContain("pooling");
  }

  @Test
  void aRequestTopicOnAKafkaThatCannotBeAskedLetsTheJobStart() {
    var unresolvable = module(MINIMAL.replace("kafka:9092", "no-such-host.invalid:9092"));
    GatewayIngress calls = (GatewayIngress) unresolvable.ingresses().get(0);
    long start = System.nanoTime();

    StartCheck.runAll(calls.startChecks());

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
