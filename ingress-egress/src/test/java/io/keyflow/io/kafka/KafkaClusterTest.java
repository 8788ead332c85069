package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which components share a question about their topics: those that reach the same bootstrap servers
 * with the same security settings.
 */
class KafkaClusterTest {

  @Test
  void componentsOnTheSameAddressWithTheSameSecuritySettingsShareACluster() {
    KafkaCluster ingress =
        KafkaCluster.of(
            "kafka:9092",
            Map.of("isolation.level", "read_committed", "security.protocol", "SASL_SSL"));
    KafkaCluster egress =
        KafkaCluster.of("kafka:9092", Map.of("linger.ms", "5", "security.protocol", "SASL_SSL"));

    assertThat(ingress).isEqualTo(egress);
    assertThat(ingress.security()).containsOnlyKeys("security.protocol");
  }

  @Test
  void anotherAddressOrOtherSecuritySettingsMakeAnotherCluster() {
    KafkaCluster plain = KafkaCluster.of("kafka:9092", Map.of());

    assertThat(KafkaCluster.of("other:9092", Map.of())).isNotEqualTo(plain);
    assertThat(KafkaCluster.of("kafka:9092", Map.of("security.protocol", "SSL")))
        .isNotEqualTo(plain);
    assertThat(KafkaCluster.of("kafka:9092", Map.of("sasl.mechanism", "PLAIN")))
        .isNotEqualTo(plain);
    assertThat(KafkaCluster.of("kafka:9092", Map.of("ssl.truststore.location", "/etc/ca.jks")))
        .isNotEqualTo(plain);
  }

  @Test
  void theAdminClientReachesTheClusterWithItsSecuritySettingsAndTheBound() {
    Map<String, Object> config =
        KafkaCluster.of("kafka:9092", Map.of("security.protocol", "SSL", "group.id", "shop"))
            .adminConfig(5_000);

    assertThat(config)
        .containsEntry("bootstrap.servers", "kafka:9092")
        .containsEntry("security.protocol", "SSL")
        .containsEntry("request.timeout.ms", 5_000)
        .containsEntry("default.api.timeout.ms", 5_000)
        .doesNotContainKey("group.id");
  }
}
