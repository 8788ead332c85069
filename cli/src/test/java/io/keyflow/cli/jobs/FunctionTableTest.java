package io.keyflow.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.flink.FunctionFigures;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionTableTest {

  @Test
  void eachFunctionGetsARowUnderAHeader() {
    List<String> lines =
        FunctionTable.lines(
            List.of(
                new FunctionFigures("shop/cart", 1234.5, 2.25, 3, 41.6, 0.5, 7, 2, false, 0),
                new FunctionFigures("shop/checkout", 0, 0, 0, 0, 0, 0, 0, true, 12)));

    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).split("\\s+"))
        .containsSubsequence("function", "in/s", "out/s", "p50", "p99", "failures/s", "backlog");
    assertThat(lines.get(1).split("\\s+"))
        .containsExactly("", "shop/cart", "1,235", "2.3", "3", "42", "0.5", "7", "2", "up");
    assertThat(lines.get(2)).contains("shop/checkout").endsWith("DOWN (12 calls held)");
  }

  @Test
  void withoutFunctionsItSaysNoneReceivedAMessage() {
    assertThat(FunctionTable.lines(List.of()))
        .containsExactly("  functions: none has received a message yet");
  }
}
