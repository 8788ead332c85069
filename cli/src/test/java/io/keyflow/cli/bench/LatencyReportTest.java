package io.keyflow.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyReportTest {

  @Test
  void percentilesAreNearestRankOverTheAnsweredCallsOnly() {
    long[] nanos = new long[2000];
    for (int i = 0; i < 1000; i++) {
      nanos[i] = (1000 - i) * 1_000_000L; // 1..1000 ms, in reverse order
    }
    // The slots after the answered calls are never counted, whatever they hold.
    nanos[1500] = 9_999_000_000L;

    LatencyReport report = LatencyReport.of(nanos, 1000);

    assertThat(report.answered()).isEqualTo(1000);
    assertThat(report.p50Millis()).isEqualTo(500.0);
    assertThat(report.p99Millis()).isEqualTo(990.0);
    assertThat(report.p999Millis()).isEqualTo(999.0);
    assertThat(report.maxMillis()).isEqualTo(1000.0);
  }

  @Test
  void withFewerThanAThousandCallsTheP999IsTheSlowest() {
    long[] nanos = {3_000_000L, 1_000_000L, 2_000_000L};

    LatencyReport report = LatencyReport.of(nanos, 3);

    assertThat(report.p50Millis()).isEqualTo(2.0);
    assertThat(report.p999Millis()).isEqualTo(3.0);
  }

  @Test
  void noAnsweredCallsGiveZeros() {
    LatencyReport report = LatencyReport.of(new long[5], 0);

    assertThat(report.answered()).isZero();
    assertThat(report.p99Millis()).isZero();
  }

  @Test
  void theReportLeavesTheCallersLatenciesInTheirOrder() {
    long[] nanos = {3, 1, 2};

    LatencyReport.of(nanos, 3);

    assertThat(nanos).containsExactly(3, 1, 2);
  }
}
