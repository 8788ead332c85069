package io.keyflow.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StartSettleTest {
  private static final Duration WINDOW = Duration.ofMillis(5);

  @Test
  void theWaitEndsWithTheFirstWindowThatLoadsOnlyAFewClasses() throws Exception {
    AtomicLong reads = new AtomicLong();
    // 1,000 classes a window for the first five windows, then 3 a window.
    Duration waited =
        StartSettle.await(
            () -> {
              long n = reads.getAndIncrement();
              return n <= 5 ? n * 1_000 : 5_000 + (n - 5) * 3;
            },
            WINDOW,
            25,
            Duration.ofSeconds(30));

    assertThat(reads.get()).isEqualTo(7);
    assertThat(waited).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aStartThatNeverSettlesIsWaitedForAtMostTheBound() throws Exception {
    AtomicLong classes = new AtomicLong();

    Duration waited =
        StartSettle.await(() -> classes.addAndGet(1_000), WINDOW, 25, Duration.ofMillis(200));

    assertThat(waited).isBetween(Duration.ofMillis(200), Duration.ofSeconds(10));
  }
}
