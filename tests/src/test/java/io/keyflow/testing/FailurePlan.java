package io.keyflow.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides when a {@link FailureInjector} fails its task. Plans are registered by name in this JVM
 * (the MiniCluster runs in the test's JVM), so they survive the operator's serialization and count
 * failures across restarts.
 */
public abstract class FailurePlan {
  private static final Map<String, FailurePlan> PLANS = new ConcurrentHashMap<>();

  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicLong lastCompletedCheckpoint = new AtomicLong(-1);
  private int lastFailedAttempt = -1;
  private final AtomicInteger highestAttempt = new AtomicInteger();

  /** Registers {@code plan} under {@code name}, replacing an earlier one. */
  public static <P extends FailurePlan> P register(String name, P plan) {
    PLANS.put(name, plan);
    return plan;
  }

  static FailurePlan get(String name) {
    FailurePlan plan = PLANS.get(name);
    if (plan == null) {
      throw new IllegalStateException("no failure plan named " + name);
    }
    return plan;
  }

  /** Failures injected so far. */
  public int failures() {
    return failures.get();
  }

  /** The highest task attempt that ran a planned task: 0 while the job never restarted. */
  public int highestAttempt() {
    return highestAttempt.get();
  }

  /** A plan that never fails, to watch whether the job restarts. */
  public static FailurePlan never() {
    return new FailurePlan() {
      @Override
      protected boolean shouldFail(long records, int checkpoints) {
        return false;
      }
    };
  }

  /** Fails once, at the first record after {@code failNow} is set. */
  public static FailurePlan onceWhen(AtomicBoolean failNow) {
    return new FailurePlan() {
      @Override
      protected boolean shouldFail(long records, int checkpoints) {
        return failNow.get() && failures() == 0;
      }
    };
  }

  /** The highest checkpoint id known complete. */
  public long lastCompletedCheckpoint() {
    return lastCompletedCheckpoint.get();
  }

  void checkpointCompleted(long id) {
    lastCompletedCheckpoint.accumulateAndGet(id, Math::max);
  }

  /**
   * Called for each record.
   *
   * @param recordsThisAttempt records this subtask passed on since it (re)started
   * @param checkpointsThisAttempt checkpoints completed since this subtask (re)started
   * @return true to fail the task now
   */
  protected abstract boolean shouldFail(long recordsThisAttempt, int checkpointsThisAttempt);

  /**
   * At most one failure per attempt: subtasks of the same attempt failing together would be one
   * restart, not several.
   */
  final boolean fire(int attempt, long recordsThisAttempt, int checkpointsThisAttempt) {
    highestAttempt.accumulateAndGet(attempt, Math::max);
    synchronized (this) {
      if (attempt > lastFailedAttempt && shouldFail(recordsThisAttempt, checkpointsThisAttempt)) {
        lastFailedAttempt = attempt;
        failures.incrementAndGet();
        return true;
      }
      return false;
    }
  }

  /**
   * Fails {@code times} times, each once {@code afterRecords} records passed a subtask after a
   * checkpoint.
   */
  public static FailurePlan times(int times, long afterRecords) {
    return new FailurePlan() {
      @Override
      protected boolean shouldFail(long records, int checkpoints) {
        return failures() < times && checkpoints > 0 && records >= afterRecords;
      }
    };
  }
}
