package io.keyflow.cli.bench;

import java.util.List;
import java.util.stream.Collectors;

/** The results as a plain-text table. */
final class BenchTable {
  private static final String HEADER =
      String.format(
          "%-8s %10s %8s %11s %11s %11s %9s %11s %11s %11s  %s",
          "workload",
          "records",
          "seconds",
          "records/s",
          "drain r/s",
          "steady r/s",
          "msgs/req",
          "keyflow us",
          "function us",
          "broker us",
          "correct");

  private BenchTable() {}

  static String of(List<BenchResult> results) {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    for (BenchResult result : results) {
      out.append(row(result)).append('\n');
      out.append(steadyRow(result)).append('\n');
      out.append(liveRow(result)).append('\n');
      if (result.ceiling() != null) {
        out.append(ceilingRow(result)).append('\n');
      }
    }
    out.append("(us: CPU microseconds per record of that process, from /proc)\n");
    return out.toString();
  }

  static String liveRow(BenchResult r) {
    String row =
        String.format(
            "  live: %,d records one by one (after %d s unmeasured): emitted p50 %.1f ms, p99 %.1f"
                + " ms; visible (read_committed) p50 %.1f ms, p99 %.1f ms",
            r.liveRecords(),
            r.liveSettlingSeconds(),
            r.emittedP50Millis(),
            r.emittedP99Millis(),
            r.visibleP50Millis(),
            r.visibleP99Millis());
    if (r.emittedP99ByWindowMillis() != null && r.emittedP99ByWindowMillis().size() > 1) {
      row +=
          r.emittedP99ByWindowMillis().stream()
              .map(p -> String.format("%.1f", p))
              .collect(
                  Collectors.joining(
                      ", ",
                      String.format(
                          "%n  live: emitted p99 per %d s, in order: ",
                          BenchRun.LATENCY_WINDOW.toSeconds()),
                      " ms"));
    }
    return row;
  }

  static String steadyRow(BenchResult r) {
    if (r.steadyRecordsPerSecond() <= 0) {
      return "  steady state: not measured (the middle half of the output took less than a"
          + " checkpoint interval)";
    }
    return String.format(
        "  steady state (25-75 %% of the output): %,.0f records/s; CPU us per record: keyflow %.1f"
            + " (JIT compiler %.1f of it), function %.1f (JIT compiler %.1f), broker %.1f",
        r.steadyRecordsPerSecond(),
        r.steadyKeyflowCpuMicrosPerRecord(),
        r.steadyKeyflowCompilerMicrosPerRecord(),
        r.steadyFunctionsCpuMicrosPerRecord(),
        r.steadyFunctionsCompilerMicrosPerRecord(),
        r.steadyBrokerCpuMicrosPerRecord());
  }

  static String ceilingRow(BenchResult r) {
    CeilingResult c = r.ceiling();
    return String.format(
        "  ceiling: the function server driven directly (%d message(s) a request, %d at once):"
            + " %,.0f records/s, client %.1f us, function %.1f us; %s is %s of it",
        c.batch(),
        c.concurrency(),
        c.recordsPerSecond(),
        c.clientCpuMicrosPerRecord(),
        c.functionsCpuMicrosPerRecord(),
        r.shareFromDrain() ? "the drain rate (no steady state)" : "steady state",
        r.shareOfCeiling() > 0 ? String.format("%.0f %%", 100 * r.shareOfCeiling()) : "-");
  }

  static String row(BenchResult r) {
    return String.format(
        "%-8s %,10d %8.1f %,11.0f %,11.0f %11s %9.1f %11.1f %11.1f %11.1f  %s",
        r.workload(),
        r.records(),
        r.seconds(),
        r.recordsPerSecond(),
        r.drainRecordsPerSecond(),
        r.steadyRecordsPerSecond() > 0 ? String.format("%,.0f", r.steadyRecordsPerSecond()) : "-",
        r.invocationsPerRequest(),
        r.keyflowCpuMicrosPerRecord(),
        r.functionsCpuMicrosPerRecord(),
        r.brokerCpuMicrosPerRecord(),
        r.correct() ? "yes" : "NO: " + r.problem());
  }

  static String gatewayRow(GatewayResult r) {
    String load =
        r.arrivals().equals("open")
            ? String.format(
                "%,d calls due at %,.0f/s (open loop, at most %d waiting)",
                r.calls(), r.targetCallsPerSecond(), r.concurrency())
            : String.format("%,d calls, %d at once", r.calls(), r.concurrency());
    return String.format(
        "gateway, %s replies: %s: %,.0f calls/s answered, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f"
            + " ms, max %.1f ms, errors %,d; correct %s",
        r.replies(),
        load,
        r.callsPerSecond(),
        r.p50Millis(),
        r.p99Millis(),
        r.p999Millis(),
        r.maxMillis(),
        r.errors(),
        r.correct() ? "yes" : "NO: " + r.problem());
  }
}
