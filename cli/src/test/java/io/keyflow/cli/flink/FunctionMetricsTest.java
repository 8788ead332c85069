package io.keyflow.cli.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionMetricsTest {

  @Test
  void aPerFunctionMetricIdNamesItsTypeAndMetric() {
    assertThat(FunctionMetrics.functionMetric("functions.functions.shop.cart.inRate"))
        .containsExactly("shop/cart", "inRate");
    assertThat(
            FunctionMetrics.functionMetric(
                "1.functions.functions.com_example.cart.remoteInvocationLatency_p99"))
        .containsExactly("com_example/cart", "remoteInvocationLatency_p99");
  }

  @Test
  void otherMetricsAreNotPerFunction() {
    assertThat(FunctionMetrics.functionMetric("functions.keyflowInvocations")).isNull();
    assertThat(FunctionMetrics.functionMetric("functions.endpoint.http://x.keyflowEndpointDown"))
        .isNull();
    assertThat(FunctionMetrics.functionMetric("numRecordsIn")).isNull();
  }

  @Test
  void theBusiestFunctionHasTheMostMessagesInASecond() {
    FunctionFigures quiet = figures("a/quiet", 1);
    FunctionFigures busy = figures("a/busy", 50);

    assertThat(FunctionMetrics.busiest(List.of(quiet, busy))).isSameAs(busy);
    assertThat(FunctionMetrics.busiest(List.of())).isNull();
  }

  static FunctionFigures figures(String function, double in) {
    return new FunctionFigures(function, in, in * 2, 3, 40, 0, 0, 0, false, 0);
  }
}
