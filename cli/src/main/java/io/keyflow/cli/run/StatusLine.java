package io.keyflow.cli.run;

import io.keyflow.cli.flink.FlinkRest.JobProgress;
import io.keyflow.cli.flink.FunctionFigures;
import java.io.PrintStream;

/**
 * The one line {@code keyflow run} keeps up to date: rewritten in place on a terminal, printed as a
 * new line when it changes otherwise (for logs and scripts).
 */
final class StatusLine {
  private static final long QUIET_INTERVAL_NANOS = 30_000_000_000L;
  private final PrintStream out;
  private final boolean terminal;
  private String last = "";
  private long lastCounts = -1;
  private long lastPrinted;

  StatusLine(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  void show(JobProgress progress, String web) {
    String line =
        String.format(
            "job %s | checkpoints %,d | records in %,d | out %,d%s | web %s",
            progress.state(),
            progress.checkpoints(),
            progress.recordsIn(),
            progress.recordsOut(),
            busiest(progress.busiest()),
            web);
    if (line.equals(last)) {
      return;
    }
    if (!terminal) {
      // Without a terminal each update is a new line: print when records move, else rarely.
      long counts = progress.recordsIn() + progress.recordsOut();
      long now = System.nanoTime();
      boolean stateChanged = !last.startsWith("job " + progress.state() + " ");
      if (!stateChanged && counts == lastCounts && now - lastPrinted < QUIET_INTERVAL_NANOS) {
        return;
      }
      lastCounts = counts;
      lastPrinted = now;
    }
    if (terminal) {
      int pad = Math.max(0, last.length() - line.length());
      out.print("\r" + line + " ".repeat(pad));
    } else {
      out.println(line);
    }
    out.flush();
    last = line;
  }

  /**
   * The busiest function type's figures: messages in and out a second, call latency p99, and its
   * failures, backlog and dead letters when there are any.
   */
  static String busiest(FunctionFigures f) {
    if (f == null) {
      return "";
    }
    StringBuilder text =
        new StringBuilder(
            String.format(
                " | busiest %s: in %.1f/s out %.1f/s p99 %,.0f ms",
                f.function(), f.inPerSecond(), f.outPerSecond(), f.latencyP99Millis()));
    if (f.failuresPerSecond() > 0) {
      text.append(String.format(" failures %.1f/s", f.failuresPerSecond()));
    }
    if (f.backlog() > 0) {
      text.append(String.format(" backlog %,d", f.backlog()));
    }
    if (f.deadLetters() > 0) {
      text.append(String.format(" dead %,d", f.deadLetters()));
    }
    if (f.endpointDown()) {
      text.append(" ENDPOINT DOWN");
    }
    return text.toString();
  }

  /** Ends the line in place, so that what follows starts on a fresh one. */
  void finish() {
    if (terminal && !last.isEmpty()) {
      out.println();
    }
    last = "";
  }
}
