package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.io.StartCheck;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleException;
import io.keyflow.module.ModuleLoader;
import io.keyflow.module.TypeName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaIngressBinderTest {

  private static KafkaIngress ingress(String spec) {
    Module module =
        ModuleLoader.parse(
            "module.yaml", "kind: io.statefun.kafka.v1/ingress\nspec:\n" + spec.indent(2));
    return (KafkaIngress) module.ingresses().get(0);
  }

  private static final String MINIMAL =
      """
      id: shop/in
      address: kafka:9092
      consumerGroupId: shop
      topics:
        - topic: orders
          valueType: shop.types/Order
          targets: [shop/order, shop/audit]
      """;

  @Test
  void statefunKindIsFoundThroughTheServiceLoader() {
    KafkaIngress in = ingress(MINIMAL);

    assertThat(in.id()).isEqualTo(TypeName.parse("shop/in"));
    assertThat(in.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(in.groupId()).isEqualTo("shop");
    assertThat(in.topics())
        .containsExactly(
            new TopicRoute(
                "orders",
                "shop.types/Order",
                List.of(TypeName.parse("shop/order"), TypeName.parse("shop/audit"))));
    assertThat(in.invalidRecords()).isEqualTo(InvalidRecordPolicy.SKIP);
  }

  @Test
  void defaultStartIsGroupOffsetsFallingBackToEarliest() {
    assertThat(ingress(MINIMAL).startupPosition())
        .isEqualTo(new StartupPosition.GroupOffsets(true));
  }

  @Test
  void addressAndGroupMayComeFromProperties() {
    KafkaIngress in =
        ingress(
            """
            id: shop/in
            properties:
              - bootstrap.servers: b1:9092
              - group.id: g1
              - isolation.level: read_committed
            topics:
              - topic: t
                valueType: a/b
                targets: [a/c]
            """);

    assertThat(in.bootstrapServers()).isEqualTo("b1:9092");
    assertThat(in.groupId()).isEqualTo("g1");
    assertThat(in.properties()).containsEntry("isolation.level", "read_committed");
  }

  @Test
  void documentedAndActualDateFormatsBothParse() {
    long expected = java.time.Instant.parse("2020-02-01T04:15:00Z").toEpochMilli();
    for (String date :
        List.of(
            "2020-02-01 04:15:00.00 Z",
            "2020-02-01 04:15:00.000 +0000",
            "2020-02-01 05:15:00 +01:00",
            "2020-02-01 04:15:00 Z")) {
      KafkaIngress in = ingress(MINIMAL + "startupPosition:\n  type: date\n  date: " + date + "\n");
      assertThat(in.startupPosition()).as(date).isEqualTo(new StartupPosition.Date(expected));
    }
  }

  @Test
  void specificOffsetsSplitAtTheLastSlash() {
    KafkaIngress in =
        ingress(
            MINIMAL
                + """
                startupPosition:
                  type: specific-offsets
                  offsets:
                    - orders/0: 42
                    - a/b/1: 7
                autoOffsetResetPosition: latest
                """);

    assertThat(in.startupPosition())
        .isEqualTo(
            new StartupPosition.SpecificOffsets(Map.of("orders/0", 42L, "a/b/1", 7L), false));
  }

  @Test
  void missingAddressNamesTheFieldAndTheAlternative() {
    assertThatThrownBy(
            () ->
                ingress(
                    """
                    id: shop/in
                    consumerGroupId: g
                    topics:
                      - topic: t
                        valueType: a/b
                        targets: [a/c]
                    """))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("document 1 (io.statefun.kafka.v1/ingress)")
        .hasMessageContaining("spec.address")
        .hasMessageContaining("bootstrap.servers");
  }

  @Test
  void unparsableDateIsRefusedWithAnExample() {
    assertThatThrownBy(
            () -> ingress(MINIMAL + "startupPosition:\n  type: date\n  date: yesterday\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("spec.startupPosition.date")
        .hasMessageContaining("'yesterday'")
        .hasMessageContaining("2024-03-01 08:00:00.000 +0000");
  }

  @Test
  void unknownStartupTypeListsTheAcceptedOnes() {
    assertThatThrownBy(() -> ingress(MINIMAL + "startupPosition:\n  type: newest\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("'newest'")
        .hasMessageContaining("group-offsets, earliest, latest, specific-offsets or date");
  }

  @Test
  void topicListedTwiceIsRefused() {
    assertThatThrownBy(
            () ->
                ingress(
                    MINIMAL.replace(
                        "topics:\n",
                        "topics:\n  - topic: orders\n    valueType: a/b\n    targets: [a/c]\n")))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("'orders' is listed twice");
  }

  @Test
  void invalidRecordPolicyIsSkipOrFail() {
    assertThat(ingress(MINIMAL + "invalidRecords: fail\n").invalidRecords())
        .isEqualTo(InvalidRecordPolicy.FAIL);
    assertThatThrownBy(() -> ingress(MINIMAL + "invalidRecords: ignore\n"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("skip, fail or dead-letter");
  }

  @Test
  void aDeadLettersTopicNeedsNoTypeOrTargets() {
    KafkaIngress in =
        ingress(
            MINIMAL
                + """
                  - topic: shop-redrive
                    deadLetters: true
                """);

    assertThat(in.topics().get(1)).isEqualTo(TopicRoute.deadLetters("shop-redrive"));
    assertThat(in.topics().get(0).deadLetters()).isFalse();
  }

  @Test
  void aDeadLettersTopicRefusesValueTypeAndTargets() {
    assertThatThrownBy(
            () ->
                ingress(
                    MINIMAL
                        + """
                          - topic: shop-redrive
                            deadLetters: true
                            valueType: shop.types/Order
                        """))
        .hasMessageContaining("spec.topics[1].valueType")
        .hasMessageContaining("not used with deadLetters: true");
  }

  @Test
  void everyTopicItReadsIsCheckedBeforeStartDeadLetterRedrivesIncluded() {
    KafkaIngress in = ingress(MINIMAL + "  - topic: shop-redrive\n    deadLetters: true\n");

    assertThat(in.declaredTopics().topics()).containsExactly("orders", "shop-redrive");
    assertThat(in.declaredTopics().bootstrapServers()).isEqualTo("kafka:9092");
  }

  @Test
  void aMissingTopicIsRefusedNamingTheFileDocumentFieldIngressTopicAndTheFix() {
    String message = ingress(MINIMAL).declaredTopics().refusal(List.of("orders")).getMessage();

    assertThat(message)
        .startsWith("module.yaml, document 1 (io.statefun.kafka.v1/ingress), spec.topics: ")
        .contains(
            "ingress shop/in reads topic orders, which does not exist on kafka:9092. Its Kafka"
                + " source looks up the partitions of each of its topics when it starts, so the"
                + " job would fail and restart until it exists")
        .contains(
            "expected the topic created before the job starts (for example kafka-topics.sh"
                + " --bootstrap-server kafka:9092 --create --topic orders)")
        .contains("or spec.topics naming topics that exist")
        .doesNotContain("pooling");
  }

  @Test
  void aKafkaThatCannotBeAskedLetsTheJobStart() {
    KafkaIngress in = ingress(MINIMAL.replace("kafka:9092", "no-such-host.invalid:9092"));
    long start = System.nanoTime();

    StartCheck.runAll(in.startChecks());

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
