package io.keyflow.remote;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/** CPU time used by this JVM and by groups of its threads, for tests that print where it went. */
final class ThreadCpu {
  private ThreadCpu() {}

  /** CPU time of the whole JVM so far, in nanoseconds. */
  static long processNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU time so far of the live threads whose names start with {@code prefix}, in nanoseconds;
   * threads that ended are not counted.
   */
  static long nanos(String prefix) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long id : threads.getAllThreadIds()) {
      ThreadInfo info = threads.getThreadInfo(id);
      long cpu = threads.getThreadCpuTime(id);
      if (info != null && cpu > 0 && info.getThreadName().startsWith(prefix)) {
        total += cpu;
      }
    }
    return total;
  }
}
