package io.keyflow.cli.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyflow.cli.flink.FlinkJobs;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.ScheduleReadings;
import io.keyflow.savepoint.SavepointException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
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
        "Lists the schedules of a running job. Static schedules (those module.yaml declares) with"
            + " their next fire time, fires, missed and late fires and the lateness of the last"
            + " fire, read from the job's metrics over Flink's REST API; the totals of the dynamic"
            + " schedules that functions created, from the same metrics; then the dynamic"
            + " schedules one by one with their target and next fire time, the --limit that fire"
            + " first and how many there are, read from the job's latest completed checkpoint"
            + " (so as fresh as that checkpoint, and at no cost to the job). Progress goes to"
            + " stderr."
      },
      footer = {
        "",
        "Examples:",
        "  keyflow schedules list --rest http://127.0.0.1:8081",
        "  keyflow schedules list --rest http://127.0.0.1:8081 --limit 1000 --json"
      })
  public static final class ListCommand implements Callable<Integer> {
    private static final String ROW = "%-32s %-24s %9s %8s %8s %12s";
    private static final String DYNAMIC_ROW = "%-32s %-32s %-24s %s";
    private static final ObjectMapper JSON = new ObjectMapper();

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

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "20",
        description =
            "List the N dynamic schedules that fire first, and the total (default:"
                + " ${DEFAULT-VALUE}).")
    int limit;

    @Option(
        names = "--json",
        description = "Print one JSON object instead of tables (docs/schedules.md#visibility).")
    boolean json;

    @Option(
        names = "--savepoint",
        paramLabel = "PATH",
        description =
            "Read the dynamic schedules from this savepoint or retained checkpoint (chk-N)"
                + " instead of the job's latest completed checkpoint.")
    String savepoint;

    @Option(
        names = "--tmp-dir",
        paramLabel = "DIR",
        description =
            "Where the checkpoint's state is restored while it is read (default: the"
                + " system's).")
    Path tmpDir;

    @Override
    public Integer call() throws Exception {
      if (limit < 0) {
        System.err.println("--limit " + limit + ": expected 0 or more");
        return 2;
      }
      FlinkRest client = new FlinkRest(rest);
      String id = new FlinkJobs(client).jobOrOnlyRunning(job);
      ScheduleReadings.Readings readings = new ScheduleReadings(client).of(id);
      Configuration conf = new Configuration();
      if (tmpDir != null) {
        conf.setString("io.tmp.dirs", tmpDir.toAbsolutePath().toString());
      }
      long started = System.nanoTime();
      DynamicScheduleListing.Listing dynamic;
      try {
        dynamic =
            savepoint == null
                ? fromCheckpointOrSavepoint(client, id, conf)
                : DynamicScheduleListing.fromPath(savepoint, limit, conf);
      } catch (IllegalStateException | SavepointException | IOException e) {
        lines(readings).forEach(System.out::println);
        System.err.println("Dynamic schedules not listed: " + e.getMessage());
        return 1;
      }
      System.err.printf(
          "Read %,d dynamic schedules from %s in %.1f s%n",
          dynamic.total(), dynamic.source().path(), (System.nanoTime() - started) / 1e9);
      if (json) {
        System.out.println(JSON.writeValueAsString(json(readings, dynamic, Instant.now())));
      } else {
        lines(readings).forEach(System.out::println);
        lines(dynamic, Instant.now()).forEach(System.out::println);
      }
      return 0;
    }

    /**
     * The latest checkpoint, or a savepoint taken for this listing when newer checkpoints subsume
     * every checkpoint it tries before its read ends (short intervals), or when the job's
     * checkpoints are written by the changelog state backend, which cannot be read.
     */
    private DynamicScheduleListing.Listing fromCheckpointOrSavepoint(
        FlinkRest client, String id, Configuration conf) throws Exception {
      if (DynamicScheduleListing.writesChangelog(client, id)) {
        System.err.println(
            "Job "
                + id
                + " keeps its state with the changelog state backend (state.changelog.enabled),"
                + " whose checkpoints cannot be read here; taking a savepoint to list from"
                + " instead.");
        return DynamicScheduleListing.fromFreshSavepoint(
            client, id, limit, conf, Duration.ofMinutes(5));
      }
      try {
        return DynamicScheduleListing.fromLatestCheckpoint(client, id, limit, conf);
      } catch (SavepointException e) {
        System.err.println(
            "Could not read the latest checkpoint ("
                + e.getMessage()
                + "); taking a savepoint to list from instead.");
        return DynamicScheduleListing.fromFreshSavepoint(
            client, id, limit, conf, Duration.ofMinutes(5));
      }
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

    /** The lines {@code list} prints for the dynamic schedules, one each, then what is left. */
    static List<String> lines(DynamicScheduleListing.Listing listing, Instant now) {
      List<String> lines = new ArrayList<>();
      lines.add("");
      lines.add(
          String.format(
              "%,d dynamic schedule%s in %s%s",
              listing.total(),
              listing.total() == 1 ? "" : "s",
              source(listing.source(), now),
              listing.shown().isEmpty()
                  ? "."
                  : listing.shown().size() == listing.total()
                      ? ":"
                      : String.format("; the %,d that fire first:", listing.shown().size())));
      if (listing.shown().isEmpty()) {
        return lines;
      }
      lines.add(String.format(DYNAMIC_ROW, "schedule", "target", "next fire", "timing"));
      for (DynamicScheduleListing.Schedule s : listing.shown()) {
        lines.add(
            String.format(
                DYNAMIC_ROW,
                s.id(),
                target(s),
                s.nextFireMillis() < 0 ? "ended" : Instant.ofEpochMilli(s.nextFireMillis()),
                s.timing()));
      }
      long more = listing.total() - listing.shown().size();
      if (more > 0) {
        lines.add(String.format("... and %,d more (--limit N lists more).", more));
      }
      return lines;
    }

    /** What {@code --json} prints. */
    static ObjectNode json(
        ScheduleReadings.Readings readings, DynamicScheduleListing.Listing listing, Instant now) {
      ObjectNode root = JSON.createObjectNode();
      ArrayNode statics = root.putArray("static");
      for (ScheduleReadings.Schedule s : readings.schedules()) {
        ObjectNode node = statics.addObject();
        node.put("id", s.id());
        if (s.nextFireMillis() < 0) {
          node.put("ended", true);
        } else {
          node.put("nextFire", Instant.ofEpochMilli(s.nextFireMillis()).toString());
        }
        node.put("fires", s.fires());
        node.put("missed", s.missed());
        node.put("late", s.late());
        node.put("latenessMillis", s.latenessMillis());
      }
      ScheduleReadings.DynamicTotals d = readings.dynamic();
      ObjectNode totals = root.putObject("dynamicTotals");
      totals.put("fires", d.fires());
      totals.put("missed", d.missed());
      totals.put("late", d.late());
      totals.put("commands", d.commands());
      totals.put("rejected", d.rejected());
      ObjectNode dynamic = root.putObject("dynamic");
      DynamicScheduleListing.Source source = listing.source();
      ObjectNode from = dynamic.putObject("source");
      from.put("path", source.path());
      if (source.checkpointId() >= 0) {
        from.put("checkpoint", source.checkpointId());
      }
      if (source.completedAtMillis() > 0) {
        from.put("completedAt", Instant.ofEpochMilli(source.completedAtMillis()).toString());
      }
      dynamic.put("total", listing.total());
      ArrayNode shown = dynamic.putArray("schedules");
      listing.shown().forEach(s -> shown.add(s.json()));
      return root;
    }

    private static String source(DynamicScheduleListing.Source source, Instant now) {
      if (source.checkpointId() < 0) {
        return source.path();
      }
      String text = "checkpoint " + source.checkpointId();
      if (source.completedAtMillis() > 0) {
        Instant at = Instant.ofEpochMilli(source.completedAtMillis());
        text +=
            String.format(
                " (completed %s, %d s ago)",
                at, Math.max(0, Duration.between(at, now).toSeconds()));
      }
      return text;
    }

    private static String target(DynamicScheduleListing.Schedule s) {
      return s.targetIds().size() == 1
          ? s.targetType() + "/" + s.targetIds().get(0)
          : s.targetType() + " " + s.targetIds();
    }
  }
}
