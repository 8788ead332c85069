package io.keyflow.io.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.io.kafka.DeclaredTopics;
import io.keyflow.module.ModuleLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a gateway instance checks before it serves, without a broker: its two topics, on the Kafka
 * it reaches with the properties given to it, and what its refusals say. The refusal by a real
 * broker is in {@code DeclaredTopicsCheckIT}.
 */
class ServingTopicsTest {

  private static GatewaySpec gateway() {
    return Gateway.declaredIn(
            ModuleLoader.parse(
                "shop/module.yaml",
                """
                kind: io.keyflow.gateway.v1/http
                spec:
                  id: shop/gateway
                  address: kafka:9092
                  requestTopic: shop-calls
                  replyTopic: shop-replies
                """))
        .orElseThrow();
  }

  @Test
  void aMissingRequestTopicIsRefusedNamingTheFieldTheGatewayAndTheFix() {
    DeclaredTopics calls = ServingTopics.of(gateway(), "shop/module.yaml", 1).get(0);

    assertThat(calls.topics()).containsExactly("shop-calls");
    assertThat(calls.refusal(List.of("shop-calls")))
        .hasMessage(
            "shop/module.yaml, document 1 (io.keyflow.gateway.v1/http), spec.requestTopic: gateway"
                + " shop/gateway writes its calls to topic shop-calls, which does not exist on"
                + " kafka:9092. Every call is written there for the job to read, so no call could"
                + " reach a function until it exists; expected the topic created before the"
                + " gateway starts (for example kafka-topics.sh --bootstrap-server kafka:9092"
                + " --create --topic shop-calls), or spec.requestTopic naming a topic that exists"
                + " (the job reads calls from it)");
  }

  @Test
  void aMissingReplyTopicIsRefusedNamingTheFieldTheGatewayAndTheFix() {
    DeclaredTopics replies = ServingTopics.of(gateway(), "shop/module.yaml", 1).get(1);

    assertThat(replies.topics()).containsExactly("shop-replies");
    assertThat(replies.refusal(List.of("shop-replies")).getMessage())
        .startsWith("shop/module.yaml, document 1 (io.keyflow.gateway.v1/http), spec.replyTopic: ")
        .contains("gateway shop/gateway reads its replies from topic shop-replies")
        .contains("so the gateway could answer no call until it exists")
        .contains("or spec.replyTopic naming a topic that exists (the job writes replies to it)");
  }

  @Test
  void theTopicsAreAskedOfTheKafkaTheGatewayReachesWithThePropertiesGivenToIt() {
    GatewaySpec overridden =
        gateway()
            .withClientProperties(
                Map.of("bootstrap.servers", "other:9093", "security.protocol", "SSL"));

    List<DeclaredTopics> topics = ServingTopics.of(overridden, "shop/module.yaml", 1);

    assertThat(topics)
        .allSatisfy(
            declared -> {
              assertThat(declared.bootstrapServers()).isEqualTo("other:9093");
              assertThat(declared.properties()).containsEntry("security.protocol", "SSL");
            });
  }
}
