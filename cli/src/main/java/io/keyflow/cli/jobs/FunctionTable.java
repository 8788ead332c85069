package io.keyflow.cli.jobs;

import io.keyflow.cli.flink.FunctionFigures;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-function table of {@code keyflow status}: what an operator looks at first in an incident,
 * which function is slow, failing, or piling up messages.
 */
final class FunctionTable {
  private static final String ROW = "  %-28s %9s %9s %8s %8s %10s %9s %8s  %s";

  private FunctionTable() {}

  /** The table's lines, a header first; a single line when no function has metrics yet. */
  static List<String> lines(List<FunctionFigures> functions) {
    List<String> lines = new ArrayList<>();
    if (functions.isEmpty()) {
      lines.add("  functions: none has received a message yet");
      return lines;
    }
    lines.add(
        String.format(
            ROW,
            "function",
            "in/s",
            "out/s",
            "p50 ms",
            "p99 ms",
            "failures/s",
            "backlog",
            "dead",
            "endpoint"));
    for (FunctionFigures f : functions) {
      lines.add(
          String.format(
              ROW,
              f.function(),
              rate(f.inPerSecond()),
              rate(f.outPerSecond()),
              millis(f.latencyP50Millis()),
              millis(f.latencyP99Millis()),
              rate(f.failuresPerSecond()),
              String.format("%,d", f.backlog()),
              String.format("%,d", f.deadLetters()),
              f.endpointDown()
                  ? "DOWN (" + String.format("%,d", f.heldCalls()) + " calls held)"
                  : "up"));
    }
    return lines;
  }

  static String rate(double perSecond) {
    return perSecond >= 100 ? String.format("%,.0f", perSecond) : String.format("%.1f", perSecond);
  }

  static String millis(double millis) {
    return String.format("%,.0f", millis);
  }
}
