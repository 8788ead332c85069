package io.keyflow.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.module.ModuleLoader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModuleRewriterTest {
  private static String counterModule() throws Exception {
    try (var in = ModuleRewriterTest.class.getResourceAsStream("/counter-module.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void kafkaAddressesEndpointsAndTheGatewayPointAtTheTest() throws Exception {
    ModuleRewriter.Rewritten rewritten =
        ModuleRewriter.rewrite(
            "counter-module.yaml", counterModule(), "127.0.0.1:1234", "http://127.0.0.1:5678");

    assertThat(rewritten.yaml())
        .doesNotContain("kafka.example", "functions.example", "8080")
        .contains("http://127.0.0.1:5678/statefun/{function.name}")
        .contains("listen: 127.0.0.1:0");
    assertThat(rewritten.yaml().split("address: 127.0.0.1:1234", -1)).hasSize(4);
    assertThat(rewritten.topics()).containsExactly("commands", "counter-calls", "counter-replies");
    // The result is a module Keyflow loads.
    assertThat(ModuleLoader.parse("counter-module.yaml", rewritten.yaml()).endpoints()).hasSize(1);
  }

  @Test
  void topicsAnEgressDeclaresAreCreatedLikeThoseTheIngressesRead() {
    String module =
        """
        kind: io.statefun.kafka.v1/egress
        spec:
          id: shop/out
          address: kafka.example:9092
          deliverySemantic:
            type: exactly-once
          topics: [orders, stock]
        """;

    assertThat(
            ModuleRewriter.rewrite("m.yaml", module, "127.0.0.1:1", "http://127.0.0.1:2").topics())
        .containsExactly("orders", "stock");
  }

  @Test
  void ingressesReadFromTheEarliestOffset() throws Exception {
    String yaml =
        ModuleRewriter.rewrite("m.yaml", counterModule(), "127.0.0.1:1", "http://127.0.0.1:2")
            .yaml();

    assertThat(yaml).contains("startupPosition:\n    type: earliest");
  }
}
