package io.keyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class FlinkDurationTest {
  private final FlinkDuration converter = new FlinkDuration();

  @Test
  void acceptsFlinksDurationForms() {
    assertThat(converter.convert("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(converter.convert("1000ms")).isEqualTo(Duration.ofSeconds(1));
    assertThat(converter.convert("2 min")).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void refusesOtherTextNamingTheForms() {
    assertThatThrownBy(() -> converter.convert("soon"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'soon' is not a duration")
        .hasMessageContaining("2 min");
  }
}
