package io.keyflow.cli.address;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.Keyflow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AddressCommandTest {
  @TempDir Path dir;

  @Test
  void aMalformedAddressIsAUsageErrorShowingTheExpectedForm() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Keyflow()).setErr(new PrintWriter(err));

    int status = cli.execute("address", "pause", "shop/checkout");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("namespace/type/id such as shop/checkout/o-1001");
  }

  @Test
  void anUnreachableGatewayIsOneLineNamingItAndHowToPointElsewhere() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "# admin\nsecret\n");
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      status =
          new CommandLine(new Keyflow())
              .execute(
                  "inspect",
                  "--gateway",
                  "http://127.0.0.1:1",
                  "--token-file",
                  token.toString(),
                  "shop/checkout/o-1");
    } finally {
      System.setErr(original);
    }

    assertThat(status).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("cannot reach the gateway at http://127.0.0.1:1")
        .contains("--gateway");
  }

  @Test
  void anAddressIdKeepsItsSlashes() {
    assertThat(new Address.Converter().convert("shop/cart/a/b"))
        .isEqualTo(new Address("shop", "cart", "a/b"));
  }
}
