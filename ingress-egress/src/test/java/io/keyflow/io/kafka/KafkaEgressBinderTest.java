package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.ModuleException;
import io.keyflow.module.ModuleLoader;
import java.time.Duration;
import java.util.List;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.junit.jupiter.api.Test;

class KafkaEgressBinderTest {

  private static KafkaEgress egress(String spec) {
    return (KafkaEgress)
        ModuleLoader.parse(
                "module.yaml", "kind: io.statefun.kafka.v1/egress\nspec:\n" + spec.indent(2))
            .egresses()
            .get(0);
  }

  @Test
  void defaultsToAtLeastOnceWithoutTransactions() {
    KafkaEgress out = egress("id: shop/out\naddress: kafka:9092\n");

    assertThat(out.guarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    assertThat(out.requiresCheckpointing()).isFalse();
    assertThat(out.transactionalIdPrefix()).isEqualTo("keyflow-shop-out");
  }

  @Test
  void transactionalProducersLingerToFillRequestsAndOthersSendAtOnce() {
    assertThat(KafkaEgress.lingerMillis(DeliveryGuarantee.EXACTLY_ONCE)).isEqualTo("5");
    assertThat(KafkaEgress.lingerMillis(DeliveryGuarantee.AT_LEAST_ONCE)).isEqualTo("0");
    assertThat(KafkaEgress.lingerMillis(DeliveryGuarantee.NONE)).isEqualTo("0");
  }

  @Test
  void exactlyOnceTakesADurationTimeoutAndNeedsCheckpoints() {
    KafkaEgress out =
        egress(
            """
            id: shop/out
            address: kafka:9092
            deliverySemantic:
              type: exactly-once
              transactionTimeout: 5 min
            transactionalIdPrefix: shop-prod-out
            """);

    assertThat(out.guarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
    assertThat(out.transactionTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(out.transactionalIdPrefix()).isEqualTo("shop-prod-out");
    assertThat(out.requiresCheckpointing()).isTrue();
  }

  @Test
  void documentedMillisExampleThatReadsAsZeroIsRefusedClearly() {
    assertThatThrownBy(
            () ->
                egress(
                    """
                    id: shop/out
                    address: kafka:9092
                    deliverySemantic:
                      type: exactly-once
                      transactionTimeoutMillis: 0
                    """))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("transactionTimeoutMillis")
        .hasMessageContaining("transactionTimeout: 10 min");
  }

  @Test
  void unknownSemanticListsTheAcceptedOnes() {
    assertThatThrownBy(
            () -> egress("id: shop/out\naddress: kafka:9092\ndeliverySemantic:\n  type: twice\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("'twice'")
        .hasMessageContaining("none, at-least-once or exactly-once");
  }

  @Test
  void missingAddressIsAnError() {
    assertThatThrownBy(() -> egress("id: shop/out\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("spec.address");
  }

  @Test
  void recordsAreLimitedToTheProducersMaxRequestSize() {
    assertThat(egress("id: shop/out\naddress: kafka:9092\n").maxRecordBytes())
        .isEqualTo(1024 * 1024);
    assertThat(
            egress(
                    "id: shop/out\naddress: kafka:9092\nproperties:\n"
                        + "  - max.request.size: 4194304\n")
                .maxRecordBytes())
        .isEqualTo(4194304);
  }

  @Test
  void aMaxRequestSizeThatIsNoNumberNamesTheFieldAndTheFix() {
    assertThatThrownBy(
            () ->
                egress(
                    "id: shop/out\naddress: kafka:9092\nproperties:\n"
                        + "  - max.request.size: 4mb\n"))
        .hasMessageContaining("spec.properties: max.request.size is '4mb'")
        .hasMessageContaining("a positive number of bytes such as 1048576");
  }

  private static final String EXACTLY_ONCE =
      """
      id: shop/out
      address: kafka:9092
      deliverySemantic:
        type: exactly-once
      """;

  @Test
  void declaredTopicsMakeExactlyOnceReusePooledTransactionalIds() {
    KafkaEgress out = egress(EXACTLY_ONCE + "topics: [orders, stock]\n");

    assertThat(out.topics()).containsExactly("orders", "stock");
    assertThat(out.transactionNaming()).isEqualTo(TransactionNamingStrategy.POOLING);
  }

  @Test
  void withoutTopicsExactlyOnceNamesTransactionsIncrementallyAndWritesAnyTopic() {
    KafkaEgress out = egress(EXACTLY_ONCE);

    assertThat(out.topics()).isEmpty();
    assertThat(out.transactionNaming()).isEqualTo(TransactionNamingStrategy.INCREMENTING);
  }

  @Test
  void incrementingNamingCanBeChosenWithDeclaredTopics() {
    KafkaEgress out =
        egress(EXACTLY_ONCE + "  transactionNaming: incrementing\ntopics:\n  - orders\n");

    assertThat(out.topics()).containsExactly("orders");
    assertThat(out.transactionNaming()).isEqualTo(TransactionNamingStrategy.INCREMENTING);
  }

  @Test
  void poolingWithoutTopicsIsRefusedNamingTheTopicsField() {
    assertThatThrownBy(() -> egress(EXACTLY_ONCE + "  transactionNaming: pooling\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("spec.deliverySemantic.transactionNaming")
        .hasMessageContaining("pooling needs the topics")
        .hasMessageContaining("topics: [a, b]");
    assertThatThrownBy(() -> egress(EXACTLY_ONCE + "  transactionNaming: pooled\n"))
        .hasMessageContaining("'pooled' is unknown")
        .hasMessageContaining("pooling or incrementing");
  }

  @Test
  void topicsThatAreEmptyMisspeltOrRepeatedAreRefusedNamingTheElement() {
    assertThatThrownBy(() -> egress(EXACTLY_ONCE + "topics: []\n"))
        .hasMessageContaining("spec.topics: is empty")
        .hasMessageContaining("leave topics out");
    assertThatThrownBy(() -> egress(EXACTLY_ONCE + "topics: [orders, 'or ders']\n"))
        .hasMessageContaining("spec.topics[1]")
        .hasMessageContaining("'or ders' is not a Kafka topic name");
    assertThatThrownBy(() -> egress(EXACTLY_ONCE + "topics: [orders, orders]\n"))
        .hasMessageContaining("spec.topics[1]")
        .hasMessageContaining("listed twice");
  }

  @Test
  void atLeastOnceWithTopicsKeepsThemAsTheOnlyTopicsItWrites() {
    KafkaEgress out = egress("id: shop/out\naddress: kafka:9092\ntopics: [orders]\n");

    assertThat(out.guarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
    assertThat(out.topics()).isEqualTo(List.of("orders"));
  }

  @Test
  void deadLettersToATopicTheirEgressDoesNotDeclareAreRefusedAtLoad() {
    String module =
        """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: shop/*
          urlPathTemplate: http://functions:8000/{function.name}
          failures:
            deadLetter:
              egress: shop/out
              topic: shop-dead-letters
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: shop/out
          address: kafka:9092
          topics: [orders]
        """;

    assertThatThrownBy(() -> ModuleLoader.parse("module.yaml", module))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("document 1")
        .hasMessageContaining("spec.failures.deadLetter.topic")
        .hasMessageContaining(
            "'shop-dead-letters' is not among the topics egress shop/out declares")
        .hasMessageContaining("add the topic to that egress's topics");
    assertThat(
            ModuleLoader.parse(
                    "module.yaml", module.replace("[orders]", "[orders, shop-dead-letters]"))
                .egresses())
        .hasSize(1);
  }
}
