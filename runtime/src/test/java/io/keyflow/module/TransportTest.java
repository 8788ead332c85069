package io.keyflow.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportTest {

  @Test
  void defaultsAreStateFunsAsyncDefaults() {
    Transport t = Transport.defaults();

    assertThat(t.type()).isEqualTo("io.statefun.transports.v1/async").isEqualTo(Transport.ASYNC);
    assertThat(t.call()).isEqualTo(Duration.ofMinutes(2));
    assertThat(t.connect()).isEqualTo(Duration.ofSeconds(20));
    assertThat(t.readTimeout()).isEmpty();
    assertThat(t.writeTimeout()).isEmpty();
    assertThat(t.poolTtl()).isEqualTo(Duration.ofSeconds(15));
    assertThat(t.poolSize()).isEqualTo(64);
    assertThat(t.payloadMaxBytes()).isEqualTo(33554432L);
    assertThat(t.trustCaCerts()).isEmpty();
    assertThat(t.clientCert()).isEmpty();
    assertThat(t.clientKey()).isEmpty();
    assertThat(t.clientKeyPassword()).isEmpty();
  }

  @Test
  void okHttpDefaultsAreOneMinuteAndTenSeconds() {
    Transport t = Transport.okHttpDefaults();

    assertThat(t.type()).isEqualTo("io.statefun.transports.v1/okhttp").isEqualTo(Transport.OKHTTP);
    assertThat(t.call()).isEqualTo(Duration.ofMinutes(1));
    assertThat(t.connect()).isEqualTo(Duration.ofSeconds(10));
    assertThat(t.readTimeout()).contains(Duration.ofSeconds(10));
    assertThat(t.writeTimeout()).contains(Duration.ofSeconds(10));
  }

  @Test
  void rejectsUnknownType() {
    assertThatThrownBy(() -> withType("io.statefun.transports.v1/netty"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("io.statefun.transports.v1/netty")
        .hasMessageContaining(Transport.ASYNC)
        .hasMessageContaining(Transport.OKHTTP);
  }

  @Test
  void rejectsNonPositiveDurations() {
    assertThatThrownBy(() -> withTimeouts(Duration.ZERO, Duration.ofSeconds(1), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("call must be a positive duration");
    assertThatThrownBy(
            () -> withTimeouts(Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofMillis(-1)))
        .hasMessageContaining("read must be a positive duration");
  }

  @Test
  void rejectsTimeoutsLongerThanCall() {
    assertThatThrownBy(() -> withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(6), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connect (PT6S) is longer than call (PT5S)");
    assertThatThrownBy(
            () -> withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(9)))
        .hasMessageContaining("read (PT9S) is longer than call");
  }

  @Test
  void isSerializableWithOptionalPartsUnset() throws Exception {
    assertThat(Serialization.roundTrip(Transport.defaults())).isEqualTo(Transport.defaults());
  }

  private static Transport withType(String type) {
    Transport d = Transport.defaults();
    return new Transport(
        type, d.call(), d.connect(), null, null, d.poolTtl(), 1, 1, null, null, null, null, 1);
  }

  private static Transport withTimeouts(Duration call, Duration connect, Duration read) {
    return new Transport(
        Transport.OKHTTP,
        call,
        connect,
        read,
        null,
        Duration.ZERO,
        1,
        1,
        null,
        null,
        null,
        null,
        1);
  }
}
