package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.protocol.internal.ScheduleDefinition;
import io.keyflow.protocol.internal.ScheduleDefinition.CatchUpPolicy;
import org.junit.jupiter.api.Test;

class FirePlanTest {
  private static final FireTimes EVERY_SECOND =
      FireTimes.of(ScheduleDefinition.newBuilder().setEveryMillis(1000).build());

  private static FirePlan plan(long now, long first, CatchUpPolicy policy, long grace, int max) {
    return FirePlan.at(now, first, EVERY_SECOND, t -> 0, policy, grace, max);
  }

  @Test
  void aTimerOnTimeDeliversItsFireAndMovesToTheNext() {
    FirePlan plan = plan(10_020, 10_000, CatchUpPolicy.SKIP, 2_000, 100);

    assertThat(plan.fires()).containsExactly(10_000L);
    assertThat(plan.late()).isZero();
    assertThat(plan.dropped()).isZero();
    assertThat(plan.next()).isEqualTo(11_000);
  }

  @Test
  void firesWithinGraceAreDeliveredWhateverThePolicy() {
    FirePlan plan = plan(13_500, 10_000, CatchUpPolicy.SKIP, 5_000, 100);

    assertThat(plan.fires()).containsExactly(10_000L, 11_000L, 12_000L, 13_000L);
    assertThat(plan.dropped()).isZero();
    assertThat(plan.next()).isEqualTo(14_000);
  }

  @Test
  void skipDropsEveryLateFire() {
    // Down from 10 s to 20.5 s with 2 s grace: 10..18 are late, 19 and 20 are within grace.
    FirePlan plan = plan(20_500, 10_000, CatchUpPolicy.SKIP, 2_000, 100);

    assertThat(plan.fires()).containsExactly(19_000L, 20_000L);
    assertThat(plan.late()).isZero();
    assertThat(plan.dropped()).isEqualTo(9);
    assertThat(plan.next()).isEqualTo(21_000);
  }

  @Test
  void onceDeliversTheMostRecentLateFire() {
    FirePlan plan = plan(20_500, 10_000, CatchUpPolicy.ONCE, 2_000, 100);

    assertThat(plan.fires()).containsExactly(18_000L, 19_000L, 20_000L);
    assertThat(plan.late()).isEqualTo(1);
    assertThat(plan.dropped()).isEqualTo(8);
  }

  @Test
  void allDeliversEveryLateFireInOrder() {
    FirePlan plan = plan(20_500, 10_000, CatchUpPolicy.ALL, 2_000, 100);

    assertThat(plan.fires())
        .containsExactly(
            10_000L, 11_000L, 12_000L, 13_000L, 14_000L, 15_000L, 16_000L, 17_000L, 18_000L,
            19_000L, 20_000L);
    assertThat(plan.late()).isEqualTo(9);
    assertThat(plan.dropped()).isZero();
  }

  @Test
  void allKeepsOnlyTheMostRecentMaxLateFires() {
    FirePlan plan = plan(20_500, 10_000, CatchUpPolicy.ALL, 2_000, 3);

    assertThat(plan.fires()).containsExactly(16_000L, 17_000L, 18_000L, 19_000L, 20_000L);
    assertThat(plan.late()).isEqualTo(3);
    assertThat(plan.dropped()).isEqualTo(6);
  }

  @Test
  void aFireIsDueOnlyOnceItsJitterHasPassed() {
    FirePlan plan = FirePlan.at(10_300, 10_000, EVERY_SECOND, t -> 400, CatchUpPolicy.ALL, 0, 1);

    assertThat(plan.fires()).isEmpty();
    assertThat(plan.next()).isEqualTo(10_000);
  }

  @Test
  void anEndedScheduleHasNoNextFire() {
    FireTimes twoFires =
        FireTimes.of(
            ScheduleDefinition.newBuilder()
                .setEveryMillis(1000)
                .setStartMillis(1000)
                .setEndMillis(2000)
                .build());

    FirePlan plan = FirePlan.at(5_000, 1_000, twoFires, t -> 0, CatchUpPolicy.ALL, 0, 10);

    assertThat(plan.fires()).containsExactly(1_000L, 2_000L);
    assertThat(plan.next()).isEqualTo(-1);
  }

  @Test
  void aVeryLongOutageIsBoundedAndResumesWithinGrace() {
    long now = 10_000_000_000L;
    FirePlan plan = FirePlan.at(now, 0, EVERY_SECOND, t -> 0, CatchUpPolicy.SKIP, 2_000, 1);

    assertThat(plan.fires()).containsExactly(now - 2_000, now - 1_000, now);
    assertThat(plan.next()).isEqualTo(now + 1_000);
  }
}
