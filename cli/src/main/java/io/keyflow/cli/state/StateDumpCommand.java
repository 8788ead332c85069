package io.keyflow.cli.state;

import io.keyflow.module.TypeName;
import io.keyflow.savepoint.DispatcherLayout;
import io.keyflow.savepoint.DumpCsv;
import io.keyflow.savepoint.DumpFilter;
import io.keyflow.savepoint.SavepointDump;
import io.keyflow.savepoint.SavepointException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyflow state dump}: lists the addresses of a savepoint or retained checkpoint. */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    description = {
      "Lists every address (function type + id) of a Keyflow savepoint or retained checkpoint:"
          + " its values, in-flight request, waiting messages and pending delayed messages, one"
          + " JSON line (or CSV rows) per address. Reads the state names and typenames from the"
          + " savepoint; needs no module and calls no function. Streams: state larger than memory"
          + " is read through RocksDB on local disk (under --tmp-dir). Progress goes to stderr."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow state dump --savepoint /tmp/savepoints/savepoint-1a2b3c-0123456789ab",
      "  keyflow state dump --savepoint .keyflow/checkpoints/<job>/chk-12 --function shop/checkout \\",
      "      --id bob-1",
      "  keyflow state dump --savepoint s3://bucket/savepoints/sp-1 --format csv --output state.csv"
    })
public final class StateDumpCommand implements Callable<Integer> {
  @Option(
      names = "--savepoint",
      required = true,
      paramLabel = "PATH",
      description = "The savepoint directory or a retained checkpoint's chk-N directory.")
  String savepoint;

  @Option(
      names = "--function",
      paramLabel = "NS/TYPE",
      description = "Only addresses of this function type.")
  String function;

  @Option(names = "--id", paramLabel = "ID", description = "Only addresses with this id.")
  String id;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "jsonl",
      description = "jsonl (one JSON object per address) or csv (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Write here instead of to standard output.")
  Path output;

  @Option(
      names = "--tmp-dir",
      paramLabel = "DIR",
      description = "Where the state is restored while it is read (default: the system's).")
  Path tmpDir;

  @Option(
      names = {"-D"},
      paramLabel = "KEY=VALUE",
      description = "A Flink option for the local job that reads the state.")
  Map<String, String> options = new LinkedHashMap<>();

  private final PrintStream err = System.err;

  @Override
  public Integer call() throws Exception {
    try {
      return dump();
    } catch (IllegalArgumentException | SavepointException e) {
      err.println(e.getMessage());
      return 1;
    }
  }

  private int dump() throws Exception {
    boolean csv =
        switch (format) {
          case "jsonl" -> false;
          case "csv" -> true;
          default ->
              throw new IllegalArgumentException("--format " + format + ": expected jsonl or csv");
        };
    DumpFilter filter = new DumpFilter(function == null ? null : TypeName.parse(function), id);
    DispatcherLayout layout = DispatcherLayout.read(StateCommand.location(savepoint));
    Configuration conf = Configuration.fromMap(options);
    if (tmpDir != null) {
      conf.setString("io.tmp.dirs", tmpDir.toAbsolutePath().toString());
    }
    Progress progress = new Progress(err, "addresses");
    try (Writer out =
        output == null
            ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
            : Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      if (csv) {
        out.write(DumpCsv.header());
        out.write('\n');
      }
      SavepointDump.dump(
          layout,
          filter,
          conf,
          line -> {
            try {
              out.write(csv ? DumpCsv.rows(line) : line + "\n");
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            progress.add();
          });
    }
    err.printf(
        "%,d addresses from %s (%d function values declared, max parallelism %d) in %s%n",
        progress.count(),
        savepoint,
        layout.values().size(),
        layout.maxParallelism(),
        progress.elapsed());
    return 0;
  }
}
