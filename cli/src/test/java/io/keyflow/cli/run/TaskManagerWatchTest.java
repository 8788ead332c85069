package io.keyflow.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.cli.run.TaskManagerWatch.Verdict;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TaskManagerWatchTest {
  private final Instant start = Instant.parse("2026-01-01T00:00:00Z");

  private Instant at(Duration offset) {
    return start.plus(offset);
  }

  @Test
  void noTaskManagerBeforeTheFirstRegistersIsNoLoss() {
    TaskManagerWatch watch = new TaskManagerWatch();

    assertThat(watch.observe(0, at(Duration.ZERO))).isEqualTo(Verdict.RUNNING);
    assertThat(watch.observe(0, at(Duration.ofMinutes(1)))).isEqualTo(Verdict.RUNNING);
  }

  @Test
  void aTaskManagerGoneForTheGracePeriodIsReplacedOnce() {
    TaskManagerWatch watch = new TaskManagerWatch();
    watch.observe(1, at(Duration.ZERO));

    assertThat(watch.observe(0, at(Duration.ofSeconds(1)))).isEqualTo(Verdict.RUNNING);
    assertThat(watch.observe(0, at(Duration.ofSeconds(1).plus(TaskManagerWatch.GRACE))))
        .isEqualTo(Verdict.REPLACE);
    // The replacement is still registering: not another loss.
    assertThat(watch.observe(0, at(Duration.ofSeconds(30)))).isEqualTo(Verdict.RUNNING);
    assertThat(watch.observe(1, at(Duration.ofSeconds(31)))).isEqualTo(Verdict.RUNNING);
  }

  @Test
  void aTaskManagerBackWithinTheGracePeriodIsNoLoss() {
    TaskManagerWatch watch = new TaskManagerWatch();
    watch.observe(1, at(Duration.ZERO));
    watch.observe(0, at(Duration.ofSeconds(1)));

    assertThat(watch.observe(1, at(Duration.ofSeconds(2)))).isEqualTo(Verdict.RUNNING);
    assertThat(watch.observe(0, at(Duration.ofSeconds(3)))).isEqualTo(Verdict.RUNNING);
    assertThat(watch.recentLosses()).isZero();
  }

  @Test
  void tooManyLossesWithinTheWindowGiveUpButOldOnesAreForgotten() {
    TaskManagerWatch watch = new TaskManagerWatch();
    Duration t = Duration.ZERO;
    for (int i = 0; i < TaskManagerWatch.MAX_LOSSES; i++) {
      assertThat(lose(watch, t)).isEqualTo(Verdict.REPLACE);
      t = t.plusMinutes(1);
    }
    assertThat(lose(watch, t)).isEqualTo(Verdict.GIVE_UP);

    TaskManagerWatch patient = new TaskManagerWatch();
    Duration later = Duration.ZERO;
    for (int i = 0; i < TaskManagerWatch.MAX_LOSSES + 2; i++) {
      assertThat(lose(patient, later)).isEqualTo(Verdict.REPLACE);
      later = later.plus(TaskManagerWatch.WINDOW).plusMinutes(1);
    }
  }

  /** A TaskManager registers at {@code t} and is gone for good right after. */
  private Verdict lose(TaskManagerWatch watch, Duration t) {
    watch.observe(1, at(t));
    watch.observe(0, at(t.plusSeconds(1)));
    return watch.observe(0, at(t.plusSeconds(1).plus(TaskManagerWatch.GRACE)));
  }
}
