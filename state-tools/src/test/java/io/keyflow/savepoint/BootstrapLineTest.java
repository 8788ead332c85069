package io.keyflow.savepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.state.ValueExpiration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
  void pendingWorkIsKeptUnlessValuesOnly() {
    assertThat(BootstrapLine.parse(PENDING, false, 0).backlog()).hasSize(1);
    assertThat(BootstrapLine.parse(PENDING, true, 0).hasPending()).isFalse();
  }

  @Test
  void aDelayedMessageWithoutADueTimeIsRefusedNamingTheField() {
    String line =
        "{\"function\":\"shop/cart\",\"id\":\"a\",\"delayed\":[{\"target\":\"shop/cart/a\","
            + "\"typename\":\"shop.types/Cmd\",\"text\":\"x\"}]}";

    assertThatThrownBy(() -> BootstrapLine.parse(line, false, 0))
        .hasMessageStartingWith("delayed[0].dueAt: missing or not an ISO-8601 instant");
  }

  @Test
  void oneTokenPendingTwiceForOneSenderIsRefused() {
    String message =
        "{\"dueAt\":\"2030-01-01T00:00:00Z\",\"token\":\"t\",\"target\":\"shop/cart/a\","
            + "\"typename\":\"shop.types/Cmd\",\"text\":\"x\"}";
    String line =
        "{\"function\":\"shop/cart\",\"id\":\"a\",\"delayed\":[" + message + "," + message + "]}";

    assertThatThrownBy(() -> BootstrapLine.parse(line, false, 0))
        .hasMessageStartingWith("delayed[1].token: t is pending twice");
  }

  @Test
  void aValueWithTtlTouchedAtExpiresAsItsFunctionDeclares() {
    BootstrapLine line =
        BootstrapLine.parse(
            "{\"function\":\"shop/cart\",\"id\":\"a\",\"values\":{\"seen\":{\"typename\":"
                + "\"io.statefun.types/bool\",\"value\":true,\"ttlTouchedAt\":\"2030-01-01T00:00:00Z\"}}}",
            false,
            0);

    BootstrapLine.Value seen = line.values().get(0);
    assertThat(seen.declared().ttl()).isTrue();
    assertThat(seen.declared().expiration()).isEqualTo(ValueExpiration.UNKNOWN);
    assertThat(seen.touchedAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli());
  }

  @Test
  void aDelayedMessageToAFunctionTheModuleDoesNotServeIsRefusedWithItsLineNumber()
      throws Exception {
    Path input =
        Files.write(
            dir.resolve("delayed.jsonl"),
            List.of(
                "{\"function\":\"shop/cart\",\"id\":\"a\",\"delayed\":[{\"dueAt\":"
                    + "\"2030-01-01T00:00:00Z\",\"target\":\"shpo/cart/a\","
                    + "\"typename\":\"shop.types/Cmd\",\"text\":\"x\"}]}"));

    assertThatThrownBy(() -> BootstrapInput.check(input, module(), false))
        .hasMessageStartingWith(
            input + ", line 1: delayed[0].target: shpo/cart is served by no endpoint");
  }

  private static Module module() {
    return ModuleLoader.parse(
        "module.yaml",
        """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: shop/*
          urlPathTemplate: http://127.0.0.1:1/{function.name}
        """);
  }

  @Test
  void oneValueWithTwoTypenamesIsRefused() throws Exception {
    Module module = module();
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
