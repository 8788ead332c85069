package io.keyflow.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.flink.FunctionFigures;
import org.junit.jupiter.api.Test;

class StatusLineTest {

  @Test
  void theBusiestFunctionShowsItsRatesAndLatencyAndOnlyTroubleThatExists() {
    assertThat(
            StatusLine.busiest(
                new FunctionFigures("shop/cart", 12.34, 20, 3, 41.6, 0, 0, 0, false, 0)))
        .isEqualTo(" | busiest shop/cart: in 12.3/s out 20.0/s p99 42 ms");
    assertThat(
            StatusLine.busiest(new FunctionFigures("shop/cart", 1, 0, 3, 5, 0.5, 1200, 3, true, 4)))
        .isEqualTo(
            " | busiest shop/cart: in 1.0/s out 0.0/s p99 5 ms failures 0.5/s backlog 1,200"
                + " dead 3 ENDPOINT DOWN");
    assertThat(StatusLine.busiest(null)).isEmpty();
  }
}
