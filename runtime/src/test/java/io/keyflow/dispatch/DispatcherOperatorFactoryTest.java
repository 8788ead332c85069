package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.ModuleLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatcherOperatorFactoryTest {
  @Test
  void anUndeclaredDeadLetterEgressStopsTheJobListingTheDeclaredOnes() {
    var module =
        ModuleLoader.parse(
            "module.yaml",
            """
            kind: io.statefun.endpoints.v2/http
            spec:
              functions: shop/*
              urlPathTemplate: http://f/{function.name}
              failures:
                deadLetter:
                  egress: shop/missing
            """);

    assertThatThrownBy(() -> DispatcherOperatorFactory.create(module, Map.of(), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("module.yaml")
        .hasMessageContaining("failures.deadLetter.egress shop/missing")
        .hasMessageContaining("declared egresses: none");
  }
}
