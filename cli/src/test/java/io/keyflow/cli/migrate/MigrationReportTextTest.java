package io.keyflow.cli.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MigrationReportTextTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static String print(String report) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    MigrationReportText.print(
        new PrintStream(bytes, true, StandardCharsets.UTF_8),
        MAPPER.readTree(report),
        "file:///sp/keyflow-1");
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aCompleteMigrationSaysWhatWasCarriedAndHowKafkaReadsOn() throws Exception {
    String text =
        print(
            "{\"addresses\":1000,\"values\":3000,\"expiringValues\":1000,\"inflightMessages\":2,"
                + "\"backlogMessages\":5,\"delayedMessages\":7,\"statesNotCarried\":[],"
                + "\"notCarried\":[],\"otherOperatorsWithState\":0}");

    assertThat(text)
        .contains(
            "Carried: 1,000 addresses with 3,000 values (1,000 of them expiring), 2 in-flight")
        .contains("Not carried: nothing.")
        .contains("startupPosition {type: group-offsets}")
        .contains("the group's lag was 0")
        .contains("--from-savepoint file:///sp/keyflow-1");
  }

  @Test
  void everythingNotCarriedIsListed() throws Exception {
    String text =
        print(
            "{\"addresses\":1,\"statesNotCarried\":[{\"state\":\"shop.embedded.table\","
                + "\"kind\":\"KEY_VALUE\"}],\"notCarried\":[{\"function\":\"shop/cart\","
                + "\"id\":\"bob\",\"what\":\"delayed\",\"problem\":\"a message of class X\"}],"
                + "\"otherOperatorsWithState\":2}");

    assertThat(text)
        .contains("  state shop.embedded.table (KEY_VALUE)")
        .contains("  shop/cart/bob delayed: a message of class X")
        .contains("2 other operators");
  }
}
