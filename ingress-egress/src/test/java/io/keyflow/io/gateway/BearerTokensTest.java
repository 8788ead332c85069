package io.keyflow.io.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.ModuleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokensTest {
  @TempDir Path dir;

  private static GatewaySpec gateway(String auth) {
    return Gateway.declaredIn(
            ModuleLoader.parse(
                "module.yaml",
                "kind: io.keyflow.gateway.v1/http\nspec:\n"
                    + ("address: kafka:9092\nrequestTopic: calls\nreplyTopic: replies\n" + auth)
                        .indent(2)))
        .orElseThrow();
  }

  @Test
  void aFileGivesOneTokenPerLineSkippingBlankLinesAndComments() throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), "# ops\nfirst\n\n  second  \n");
    BearerTokens tokens =
        BearerTokens.load(gateway("auth:\n  tokensFile: " + file + "\n"), name -> null);

    assertThat(tokens.accepts("first")).isTrue();
    assertThat(tokens.accepts("second")).isTrue();
    assertThat(tokens.accepts("# ops")).isFalse();
    assertThat(tokens.accepts("")).isFalse();
    assertThat(tokens.accepts("firs")).isFalse();
  }

  @Test
  void aVariableGivesTokensSeparatedByCommasOrWhitespace() {
    Map<String, String> environment = Map.of("GATEWAY_TOKENS", "a1, b2\nc3");
    BearerTokens tokens =
        BearerTokens.load(gateway("auth:\n  tokensEnv: GATEWAY_TOKENS\n"), environment::get);

    assertThat(tokens.accepts("a1")).isTrue();
    assertThat(tokens.accepts("b2")).isTrue();
    assertThat(tokens.accepts("c3")).isTrue();
    assertThat(tokens.accepts("a1, b2")).isFalse();
  }

  @Test
  void noTokenStopsTheGatewayNamingTheSourceAndTheFix() throws Exception {
    assertThatThrownBy(
            () -> BearerTokens.load(gateway("auth:\n  tokensEnv: GATEWAY_TOKENS\n"), n -> null))
        .hasMessageContaining("auth.tokensEnv GATEWAY_TOKENS holds no token")
        .hasMessageContaining("remove auth");
    Path empty = Files.writeString(dir.resolve("empty"), "# nothing yet\n");
    assertThatThrownBy(
            () -> BearerTokens.load(gateway("auth:\n  tokensFile: " + empty + "\n"), n -> null))
        .hasMessageContaining("auth.tokensFile " + empty + " holds no token");
    Path missing = dir.resolve("missing");
    assertThatThrownBy(
            () -> BearerTokens.load(gateway("auth:\n  tokensFile: " + missing + "\n"), n -> null))
        .hasMessageContaining("auth.tokensFile " + missing + " cannot be read");
  }

  @Test
  void adminTokensAreReadAsTheirOwnAndTheirErrorsNameAdmin() {
    GatewaySpec spec = gateway("admin:\n  tokensEnv: ADMIN_TOKENS\n");
    BearerTokens admin =
        BearerTokens.load(spec, spec.admin(), "admin", Map.of("ADMIN_TOKENS", "root")::get);
    assertThat(admin.accepts("root")).isTrue();
    assertThatThrownBy(() -> BearerTokens.load(spec, spec.admin(), "admin", n -> null))
        .hasMessageContaining("admin.tokensEnv ADMIN_TOKENS holds no token")
        .hasMessageContaining("remove admin");
  }
}
