package io.keyflow.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class TracingSettingsTest {

  @Test
  void tracingIsOffUnlessAnEndpointIsSet() {
    TracingSettings settings = TracingSettings.from(new Configuration());

    assertThat(settings.enabled()).isFalse();
    assertThat(settings.samplingRatio()).isEqualTo(1.0);
    assertThat(settings.serviceName()).isEqualTo("keyflow");
  }

  @Test
  void theOptionsAreRead() {
    Configuration conf = new Configuration();
    conf.setString("keyflow.tracing.endpoint", "http://collector:4318/v1/traces");
    conf.setString("keyflow.tracing.sampling-ratio", "0.01");
    conf.setString("keyflow.tracing.service-name", "shop");

    TracingSettings settings = TracingSettings.from(conf);

    assertThat(settings)
        .isEqualTo(new TracingSettings("http://collector:4318/v1/traces", 0.01, "shop"));
    assertThat(settings.enabled()).isTrue();
  }

  @Test
  void aRatioOutsideZeroToOneNamesTheKeyAndTheRange() {
    assertThatThrownBy(() -> new TracingSettings("http://c:4318/v1/traces", 1.5, "keyflow"))
        .hasMessageContaining("keyflow.tracing.sampling-ratio is 1.5")
        .hasMessageContaining("from 0 to 1");
  }

  @Test
  void anEndpointThatIsNoHttpUrlNamesTheKeyAndAnExample() {
    assertThatThrownBy(() -> new TracingSettings("collector:4318", 1, "keyflow"))
        .hasMessageContaining("keyflow.tracing.endpoint is 'collector:4318'")
        .hasMessageContaining("http://collector:4318/v1/traces");
  }

  @Test
  void aBlankEndpointMeansOff() {
    assertThat(new TracingSettings("  ", 1, "keyflow").enabled()).isFalse();
  }
}
