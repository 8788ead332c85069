package io.keyflow.cli.jobs;

import io.keyflow.cli.flink.FlinkJobs;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.ScheduleReadings;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyflow schedules}: what a running job's schedules are doing. */
@Command(
    name = "schedules",
    mixinStandardHelpOptions = true,
    description = "The schedules of a running job (docs/schedules.md).",
    subcommands = {SchedulesCommand.ListCommand.class})
public final class SchedulesCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code keyflow schedules list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Lists the static schedules of a running job (those module.yaml declares) with their next"
            + " fire time, fires, missed and late fires and the lateness of the last fire, read"
            + " from the job's metrics over Flink's REST API; then the totals of the dynamic"
            + " schedules that functions created."
      },
      footer = {"", "Example:", "  keyflow schedules list --rest http://127.0.0.1:8081"})
  public static final class ListCommand implements Callable<Integer> {
    private static final String ROW = "%-32s %-24s %9s %8s %8s %12s";

    @Option(
        names = "--rest",
        required = true,
        paramLabel = "URL",
        description = "Flink's REST API.")
    URI rest;

    @Option(
        names = "--job",
        paramLabel = "ID",
        description = "The job; default: the only running one.")
    String job;

    @Override
    public Integer call() throws Exception {
      FlinkRest client = new FlinkRest(rest);
      String id = new FlinkJobs(client).jobOrOnlyRunning(job);
      lines(new ScheduleReadings(client).of(id)).forEach(System.out::println);
      return 0;
    }

    /** The lines {@code list} prints for {@code readings}: a table, then the dynamic totals. */
    public static List<String> lines(ScheduleReadings.Readings readings) {
      List<String> lines = new ArrayList<>();
      if (readings.schedules().isEmpty()) {
        lines.add("No static schedules.");
      } else {
        lines.add(
            String.format(ROW, "schedule", "next fire", "fires", "missed", "late", "lateness ms"));
        for (ScheduleReadings.Schedule s : readings.schedules()) {
          lines.add(
              String.format(
                  ROW,
                  s.id(),
                  s.nextFireMillis() < 0 ? "ended" : Instant.ofEpochMilli(s.nextFireMillis()),
                  String.format("%,d", s.fires()),
                  String.format("%,d", s.missed()),
                  String.format("%,d", s.late()),
                  String.format("%,d", s.latenessMillis())));
        }
      }
      ScheduleReadings.DynamicTotals d = readings.dynamic();
      lines.add(
          String.format(
              "Dynamic schedules since the job's tasks started: %,d fires, %,d missed, %,d late;"
                  + " %,d commands, %,d skipped as invalid.",
              d.fires(), d.missed(), d.late(), d.commands(), d.rejected()));
      return lines;
    }
  }
}
