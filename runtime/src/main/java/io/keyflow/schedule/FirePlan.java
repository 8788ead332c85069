package io.keyflow.schedule;

import io.keyflow.protocol.internal.ScheduleDefinition.CatchUpPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * What a schedule does when its timer runs: which of the fire times that have come due it delivers,
 * how many it drops, and when it fires next.
 *
 * <p>A fire is due once its time plus its jitter has passed. A due fire more than {@code grace}
 * past that is <em>late</em>: the job was down or too busy when it came due. Fires within grace are
 * always delivered; late fires follow the catch-up policy: {@code skip} drops them, {@code once}
 * delivers the most recent of them, {@code all} delivers them all, the most recent {@code max} of
 * them when there are more. Dropped fires are always older than delivered ones.
 *
 * @param fires the fire times to deliver, oldest first
 * @param late how many of {@code fires} are late
 * @param dropped late fires not delivered
 * @param next the first fire time not yet due, or -1 when the schedule has ended
 */
record FirePlan(List<Long> fires, long late, long dropped, long next) {

  /** Beyond this many due fires, the late ones left are skipped without counting them. */
  static final long MAX_ENUMERATED = 1_000_000;

  /**
   * Plans the fires due at {@code now}, from {@code first} (the earliest fire not yet handled).
   *
   * @param jitter the jitter of a fire time, in milliseconds
   */
  static FirePlan at(
      long now,
      long first,
      FireTimes times,
      LongUnaryOperator jitter,
      CatchUpPolicy policy,
      long graceMillis,
      int max) {
    int keepLate =
        switch (policy) {
          case SKIP -> 0;
          case ONCE -> 1;
          case ALL -> max;
          case UNRECOGNIZED -> 1;
        };
    Deque<Long> lateKept = new ArrayDeque<>();
    List<Long> onTime = new ArrayList<>();
    long dropped = 0;
    long enumerated = 0;
    long t = first;
    while (t >= 0 && t + jitter.applyAsLong(t) <= now) {
      if (++enumerated == MAX_ENUMERATED) {
        // Down for ages: jump to the fires within grace; what lies between is not counted.
        dropped += lateKept.size();
        lateKept.clear();
        long resume = times.next(now - graceMillis - 1);
        if (resume > t || resume < 0) {
          t = resume;
          continue;
        }
      }
      if (now - (t + jitter.applyAsLong(t)) > graceMillis) {
        lateKept.addLast(t);
        if (lateKept.size() > keepLate) {
          lateKept.removeFirst();
          dropped++;
        }
      } else {
        onTime.add(t);
      }
      t = times.next(t);
    }
    List<Long> fires = new ArrayList<>(lateKept.size() + onTime.size());
    fires.addAll(lateKept);
    fires.addAll(onTime);
    return new FirePlan(List.copyOf(fires), lateKept.size(), dropped, t);
  }
}
