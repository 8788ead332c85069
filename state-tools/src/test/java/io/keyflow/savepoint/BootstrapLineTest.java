package io.keyflow.savepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapLineTest {
  private static final String PENDING =
      "{\"function\":\"shop/cart\",\"id\":\"a\",\"values\":{},\"backlog\":["
          + "{\"typename\":\"shop.types/Cmd\",\"text\":\"x\"}]}";

  @TempDir Path dir;

  @Test
  void aLineWithoutAnIdIsRefusedNamingTheField() {
    assertThatThrownBy(() -> BootstrapLine.parse("{\"function\":\"shop/cart\"}", false, 0))
        .hasMessage("id: missing or not a string");
    assertThatThrownBy(() -> BootstrapLine.parse("{nope", false, 0))
        .hasMessageStartingWith("not JSON");
  }

  @Test
  void pendingWorkIsRefusedUnlessValuesOnly() {
    assertThatThrownBy(() -> BootstrapLine.parse(PENDING, false, 0))
        .hasMessageStartingWith("backlog: not empty; bootstrap writes values only");
    assertThat(BootstrapLine.parse(PENDING, true, 0).id()).isEqualTo("a");
  }

  @Test
  void oneValueWithTwoTypenamesIsRefused() throws Exception {
    Module module =
        ModuleLoader.parse(
            "module.yaml",
            """
            kind: io.statefun.endpoints.v2/http
            spec:
              functions: shop/*
              urlPathTemplate: http://127.0.0.1:1/{function.name}
            """);
    Path input =
        Files.write(
            dir.resolve("in.jsonl"),
            List.of(
                "{\"function\":\"shop/cart\",\"id\":\"a\",\"values\":{\"n\":"
                    + "{\"typename\":\"io.statefun.types/int\",\"value\":1}}}",
                "{\"function\":\"shop/cart\",\"id\":\"b\",\"values\":{\"n\":"
                    + "{\"typename\":\"io.statefun.types/long\",\"value\":1}}}"));

    assertThatThrownBy(() -> BootstrapInput.check(input, module, false))
        .hasMessageStartingWith(input + ", line 2: values.n: typename io.statefun.types/long");
  }
}
