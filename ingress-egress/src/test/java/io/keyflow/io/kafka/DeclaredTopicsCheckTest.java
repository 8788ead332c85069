package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.io.ShopModule;
import io.keyflow.job.KeyflowTopology;
import io.keyflow.module.Module;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * The check before the job starts, without a broker: what its refusal says, and that a Kafka which
 * does not answer only delays the start by the bound, once for the whole module. The questions to a
 * real broker (one per cluster), its refusals and the start once the topics exist are in {@code
 * DeclaredTopicsCheckIT} and {@code KafkaPooledTransactionsIT}.
 */
class DeclaredTopicsCheckTest {

  private static KafkaEgress egress(String address) {
    return (KafkaEgress)
        ShopModule.parse(
                """
                kind: io.statefun.kafka.v1/egress
                spec:
                  id: shop/out
                  address: %s
                  deliverySemantic:
                    type: exactly-once
                  topics: [orders, stock, receipts]
                """
                    .formatted(address))
            .egresses()
            .get(0);
  }

  private static DeclaredTopicsCheck.Outcome check(KafkaEgress egress, Duration bound) {
    DeclaredTopics declared = egress.pooledSink().declaredTopics();
    return DeclaredTopicsCheck.check(List.of(declared), bound, Admin::create)
        .get(declared.cluster());
  }

  /** A local port nothing listens on: a connection to it is refused. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void oneMissingTopicIsNamedInTheSingular() {
    String message =
        egress("kafka:9092").pooledSink().declaredTopics().refusal(List.of("stock")).getMessage();

    assertThat(message)
        .contains("egress shop/out declares topic stock, which does not exist on kafka:9092")
        .contains("until it exists; expected the topic created before the job starts");
  }

  @Test
  void theRefusalNamesTheFileDocumentFieldEgressMissingTopicsAndTheFix() {
    String message =
        egress("kafka:9092")
            .pooledSink()
            .declaredTopics()
            .refusal(List.of("stock", "receipts"))
            .getMessage();

    assertThat(message)
        .startsWith("shop/module.yaml, document 2 (io.statefun.kafka.v1/egress), spec.topics: ")
        .contains(
            "egress shop/out declares topics stock, receipts, which do not exist on kafka:9092")
        .contains("pooling")
        .contains("until they exist; expected the topics created before the job starts")
        .contains("kafka-topics.sh --bootstrap-server kafka:9092 --create --topic stock")
        .contains("or topics removed from this egress")
        .doesNotContain("orders");
  }

  @Test
  void aKafkaThatDoesNotAnswerWithinTheBoundLetsTheJobStartUnchecked() throws IOException {
    KafkaEgress egress = egress("127.0.0.1:" + closedPort());
    long start = System.nanoTime();

    DeclaredTopicsCheck.Outcome outcome = check(egress, Duration.ofSeconds(1));

    assertThat(outcome).isEqualTo(DeclaredTopicsCheck.Outcome.UNCHECKED);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("the bound of 1 s and the admin client's close")
        .isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void anAddressThatDoesNotResolveLetsTheJobStartUnchecked() {
    assertThat(check(egress("no-such-host.invalid:9092"), Duration.ofSeconds(1)))
        .isEqualTo(DeclaredTopicsCheck.Outcome.UNCHECKED);
  }

  @Test
  void aModuleWithSeveralKafkaComponentsOnKafkasThatDoNotAnswerStartsWithinAboutOneBound()
      throws IOException {
    String first = "127.0.0.1:" + closedPort();
    String second = "127.0.0.1:" + closedPort();
    Module module =
        ShopModule.parse(
            """
            kind: io.statefun.kafka.v1/ingress
            spec:
              id: shop/in
              address: %1$s
              consumerGroupId: shop
              topics:
                - topic: orders
                  valueType: shop.types/Order
                  targets: [shop/cart]
            ---
            kind: io.keyflow.gateway.v1/http
            spec:
              id: shop/gateway
              address: %1$s
              requestTopic: shop-calls
              replyTopic: shop-replies
            ---
            kind: io.statefun.kafka.v1/egress
            spec:
              id: shop/out
              address: %2$s
              deliverySemantic:
                type: exactly-once
              topics: [stock, receipts]
            """
                .formatted(first, second));
    long start = System.nanoTime();

    KeyflowTopology.checkBeforeStart(module);

    // Four components on two clusters: asked one after another, they waited four bounds.
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(DeclaredTopicsCheck.BOUND.multipliedBy(2));
  }
}
