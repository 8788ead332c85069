package io.keyflow.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** How a test class names its functions and module, and what a mistake there says. */
class KeyflowExtensionTest {
  static class WithFunctions {
    @TestFunctions static final StatefulFunctions FUNCTIONS = new StatefulFunctions();
  }

  static class WithUrl {
    @TestFunctions static final String FUNCTIONS = "http://127.0.0.1:9000";
  }

  static class WithoutFunctions {}

  static class NotStatic {
    @TestFunctions final StatefulFunctions functions = new StatefulFunctions();
  }

  static class WrongType {
    @TestFunctions static final Integer FUNCTIONS = 7;
  }

  @Test
  void statefulFunctionsAreServedThroughTheirHandlerAndAUrlIsKept() {
    assertThat(KeyflowExtension.functionsOf(WithFunctions.class))
        .isInstanceOf(RequestReplyHandler.class);
    assertThat(KeyflowExtension.functionsOf(WithUrl.class)).isEqualTo("http://127.0.0.1:9000");
  }

  @Test
  void aClassWithoutTestFunctionsIsToldWhatToAdd() {
    assertThatThrownBy(() -> KeyflowExtension.functionsOf(WithoutFunctions.class))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageEndingWith(
            "WithoutFunctions needs exactly one static field annotated @TestFunctions (a"
                + " StatefulFunctions, a RequestReplyHandler or a String URL); found 0");
  }

  @Test
  void aNonStaticOrWronglyTypedFieldIsRefused() {
    assertThatThrownBy(() -> KeyflowExtension.functionsOf(NotStatic.class))
        .hasMessage("@TestFunctions field functions must be static: it serves the whole class");
    assertThatThrownBy(() -> KeyflowExtension.functionsOf(WrongType.class))
        .hasMessage(
            "@TestFunctions field FUNCTIONS holds java.lang.Integer; expected a StatefulFunctions,"
                + " a RequestReplyHandler or a String URL");
  }

  @Test
  void aMissingModuleSaysWhereItLooked() {
    assertThatThrownBy(() -> KeyflowEnvironment.readModule("no/such/module.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("@KeyflowTest(module = \"no/such/module.yaml\"): no file ")
        .hasMessageContaining("give a path relative to");
    assertThatThrownBy(() -> KeyflowEnvironment.readModule("classpath:nothing.yaml"))
        .hasMessage(
            "@KeyflowTest(module = \"classpath:nothing.yaml\"): no resource nothing.yaml on the"
                + " class path");
  }
}
