package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aMisconfiguredEndpointIsDownAndItsCallsAreHeldWithTheOutageBackoffUntilOneSucceeds() {
    EndpointHealth health = new EndpointHealth("https://fn.example/{function.name}");
    Exception error = new IllegalStateException("certificate does not name fn.example");

    Duration first = health.misconfigured(0, error, 1);
    assertThat(health.isDown()).isTrue();
    Duration later = first;
    for (int i = 1; i < 10; i++) {
      later = health.misconfigured(i * SECOND, error, 1);
    }

    assertThat(first).isEqualTo(Duration.ofMillis(500));
    assertThat(later).isEqualTo(Duration.ofSeconds(10));
    health.succeeded(20 * SECOND);
    assertThat(health.isDown()).isFalse();
  }
}
