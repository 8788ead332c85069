package io.keyflow.statefun.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StateNamesTest {
  private static final List<String> STATES =
      List.of(
          "shop.cart.request-state",
          "shop.cart.batch",
          "shop.cart.items",
          "com.example.fns.greeter.request-state",
          "com.example.fns.greeter.batch",
          "com.example.fns.greeter.seen.count",
          "asyncOperations",
          "delayed-messages-buffer",
          "delayed-message-index",
          "_timer_state/processing_delayed-messages-timer-service");

  @Test
  void functionTypesAreThePrefixesOfTheRequestMachinesStates() {
    assertThat(StateNames.functionTypes(STATES))
        .containsExactly("com.example.fns.greeter", "shop.cart");
  }

  @Test
  void aValueBelongsToTheLongestTypeItsNameStartsWithEvenWhenNamespacesHaveDots() {
    List<String> types = StateNames.functionTypes(STATES);

    assertThat(StateNames.value("shop.cart.items", types))
        .isEqualTo(new StateNames.FunctionValue("shop/cart", "items"));
    assertThat(StateNames.value("com.example.fns.greeter.seen.count", types))
        .isEqualTo(new StateNames.FunctionValue("com.example.fns/greeter", "seen.count"));
    assertThat(StateNames.value("billing.invoice.total", types)).isNull();
  }

  @Test
  void theOperatorsOwnStatesAreNotValues() {
    List<String> types = StateNames.functionTypes(STATES);

    assertThat(STATES.stream().filter(s -> !StateNames.isInternal(s, types)))
        .containsExactly("shop.cart.items", "com.example.fns.greeter.seen.count");
  }
}
