package io.keyflow.cli.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Tells when the embedded TaskManager is gone and whether to replace it or give up.
 *
 * <p>Flink stops a TaskManager after a fatal error: an exception while a failing task cleans up, or
 * a task that does not stop within {@code task.cancellation.timeout}. On a cluster the process
 * exits and a supervisor starts a new one; inside {@code keyflow run} the TaskManager is merely
 * closed, and the job would restart forever for want of slots while the process looks alive. So the
 * run starts a new TaskManager, and the job restores from its last checkpoint. A TaskManager that
 * keeps dying means something is wrong beyond one task (threads stuck for good, for example), and a
 * fresh process is the cure: when it is lost more than {@link #MAX_LOSSES} times within {@link
 * #WINDOW} the run gives up and exits non-zero, and the next run resumes from the last retained
 * checkpoint.
 *
 * <p>The TaskManager counts as gone when none is registered for {@link #GRACE}, after one was.
 */
final class TaskManagerWatch {
  static final int MAX_LOSSES = 3;
  static final Duration WINDOW = Duration.ofMinutes(10);
  static final Duration GRACE = Duration.ofSeconds(3);

  /** What the run does after a look at the cluster. */
  enum Verdict {
    /** A TaskManager is registered, or was until moments ago. */
    RUNNING,
    /** The TaskManager is gone: start a new one. */
    REPLACE,
    /** The TaskManager is gone once too often: exit non-zero. */
    GIVE_UP
  }

  private final Deque<Instant> losses = new ArrayDeque<>();
  private boolean registered;
  private Instant missingSince;

  /** Judges {@code taskManagers}, the number registered at {@code now}. */
  Verdict observe(int taskManagers, Instant now) {
    if (taskManagers > 0) {
      registered = true;
      missingSince = null;
      return Verdict.RUNNING;
    }
    if (!registered) {
      return Verdict.RUNNING;
    }
    if (missingSince == null) {
      missingSince = now;
    }
    if (Duration.between(missingSince, now).compareTo(GRACE) < 0) {
      return Verdict.RUNNING;
    }
    registered = false;
    missingSince = null;
    losses.addLast(now);
    while (Duration.between(losses.peekFirst(), now).compareTo(WINDOW) > 0) {
      losses.removeFirst();
    }
    return losses.size() > MAX_LOSSES ? Verdict.GIVE_UP : Verdict.REPLACE;
  }

  /** Losses within the last {@link #WINDOW}, the latest included. */
  int recentLosses() {
    return losses.size();
  }
}
