package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProducerTimeoutsTest {

  @Test
  void recordsAndBlockingCallsWaitHalfTheTransactionTimeoutForTheBroker() {
    ProducerTimeouts timeouts = ProducerTimeouts.forTransactions(Duration.ofMinutes(10));

    assertThat(timeouts.deliveryTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(timeouts.maxBlock()).isEqualTo(Duration.ofMinutes(5));
    assertThat(timeouts.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(timeouts.properties())
        .isEqualTo(
            Map.of(
                "delivery.timeout.ms", "300000",
                "max.block.ms", "300000",
                "request.timeout.ms", "30000"));
  }

  @Test
  void aShortTransactionTimeoutShortensTheRequestTimeoutToFitTheDeliveryTimeout() {
    ProducerTimeouts timeouts = ProducerTimeouts.forTransactions(Duration.ofSeconds(40));

    assertThat(timeouts.deliveryTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(timeouts.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    // Kafka refuses a delivery timeout below linger.ms + request.timeout.ms.
    assertThat(timeouts.deliveryTimeout())
        .isGreaterThanOrEqualTo(
            timeouts
                .requestTimeout()
                .plusMillis(Long.parseLong(KafkaEgress.EXACTLY_ONCE_LINGER_MS)));
  }

  @Test
  void aTransactionTimeoutThatIsNotPositiveIsRefused() {
    assertThatThrownBy(() -> ProducerTimeouts.forTransactions(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
  }
}
