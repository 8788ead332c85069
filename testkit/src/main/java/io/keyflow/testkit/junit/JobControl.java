package io.keyflow.testkit.junit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the test and its job's control operator share: the operator reports its task attempts and
 * completed checkpoints here, and fails its task when the test asks. One instance per test class,
 * found by name, since the operator is serialized into the job (the MiniCluster runs in this JVM).
 */
final class JobControl {
  private static final Map<String, JobControl> BY_RUN = new ConcurrentHashMap<>();

  private int attempt = -1;
  private int failAttempt = -1;
  private long lastCheckpoint = -1;

  static JobControl register(String run) {
    JobControl control = new JobControl();
    BY_RUN.put(run, control);
    return control;
  }

  static JobControl get(String run) {
    JobControl control = BY_RUN.get(run);
    if (control == null) {
      throw new IllegalStateException("no test run " + run + " in this JVM");
    }
    return control;
  }

  static void unregister(String run) {
    BY_RUN.remove(run);
  }

  synchronized void started(int attemptNumber) {
    attempt = Math.max(attempt, attemptNumber);
    notifyAll();
  }

  synchronized boolean shouldFail(int attemptNumber) {
    return attemptNumber == failAttempt;
  }

  synchronized void checkpointed(long id) {
    lastCheckpoint = Math.max(lastCheckpoint, id);
    notifyAll();
  }

  synchronized int attempt() {
    return attempt;
  }

  synchronized long lastCheckpoint() {
    return lastCheckpoint;
  }

  /** Asks the running attempt to fail; returns that attempt's number. */
  synchronized int failCurrentAttempt() {
    failAttempt = attempt;
    return attempt;
  }

  /** Waits until an attempt after {@code attemptNumber} started; false on timeout. */
  synchronized boolean awaitAttemptAfter(int attemptNumber, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (attempt <= attemptNumber) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /** Waits until a checkpoint after {@code id} completed; false on timeout. */
  synchronized boolean awaitCheckpointAfter(long id, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (lastCheckpoint <= id) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }
}
