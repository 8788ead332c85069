package io.keyflow.testing;

import io.keyflow.remote.http.HttpTransport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;

/**
 * What a test prints when a job it waits for does not finish: the state of each pool of the JVM's
 * function client (calls waiting, calls on each connection) and every thread's stack, so that a
 * rare hang can be told apart from a slow run after the fact.
 */
public final class StuckJobReport {
  private StuckJobReport() {}

  /** Prints the report for the job described by {@code what} to standard output. */
  public static void print(String what) {
    StringBuilder out = new StringBuilder("---- stuck job report: ").append(what).append('\n');
    out.append("function client pools:\n");
    for (String pool : HttpTransport.describe(Duration.ofSeconds(2))) {
      out.append("  ").append(pool).append('\n');
    }
    out.append("threads:\n");
    ThreadInfo[] threads = ManagementFactory.getThreadMXBean().dumpAllThreads(false, false, 40);
    Arrays.sort(threads, Comparator.comparing(ThreadInfo::getThreadName));
    for (ThreadInfo thread : threads) {
      out.append("  \"").append(thread.getThreadName()).append("\" ");
      out.append(thread.getThreadState()).append('\n');
      for (StackTraceElement frame : thread.getStackTrace()) {
        out.append("      at ").append(frame).append('\n');
      }
    }
    out.append("---- end of stuck job report\n");
    System.out.print(out);
  }
}
