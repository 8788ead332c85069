package io.keyflow.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.cli.state.StateCommand;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.savepoint.BootstrapInput;
import io.keyflow.savepoint.SavepointBootstrap;
import io.keyflow.savepoint.SavepointException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyflow migrate statefun}: a StateFun 3.x savepoint becomes a Keyflow savepoint. */
@Command(
    name = "statefun",
    mixinStandardHelpOptions = true,
    description = {
      "Turns the savepoint of a StateFun 3.x job (Flink 1.16) into a Keyflow savepoint: every"
          + " remote function value of every address with its typename and time to live, the"
          + " messages of in-flight requests and of waiting batches, and pending delayed"
          + " messages. Whatever cannot be carried is listed in the report; nothing is dropped"
          + " silently. Start the Keyflow job from the result with --from-savepoint."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow migrate statefun --savepoint /savepoints/savepoint-1a2b3c-0d4e5f6a7b8c \\",
      "      --module module.yaml --output /savepoints/keyflow-1",
      "  keyflow run --from-savepoint /savepoints/keyflow-1"
    })
public final class MigrateStatefunCommand implements Callable<Integer> {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Option(
      names = "--savepoint",
      required = true,
      paramLabel = "PATH",
      description = "The StateFun savepoint directory (the one holding _metadata).")
  String savepoint;

  @Option(
      names = "--module",
      required = true,
      paramLabel = "FILE",
      description = "The module.yaml of the Keyflow job that will start from the result.")
  String module;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "PATH",
      description = "The Keyflow savepoint directory to create (must not exist).")
  String output;

  @Option(
      names = "--lines",
      paramLabel = "FILE",
      description =
          "Keep the state read from StateFun here as JSON lines (the bootstrap format);"
              + " by default it goes to a temporary file that is deleted.")
  Path lines;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Also write the migration report here, as JSON.")
  Path reportFile;

  @Option(
      names = "--reader-heap",
      paramLabel = "SIZE",
      defaultValue = "512m",
      description =
          "Maximum heap of the JVM that reads the StateFun savepoint (default: ${DEFAULT-VALUE}).")
  String readerHeap;

  @Option(
      names = "--tmp-dir",
      paramLabel = "DIR",
      description = "Where the state is restored to local disk while it is read and written.")
  Path tmpDir;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "2",
      description = "Tasks writing the Keyflow savepoint (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--timeout-minutes",
      paramLabel = "N",
      defaultValue = "240",
      description = "How long reading the StateFun savepoint may take (default: ${DEFAULT-VALUE}).")
  long timeoutMinutes;

  @Option(
      names = {"-D"},
      paramLabel = "KEY=VALUE",
      description = "A Flink option for the local job that writes the Keyflow savepoint.")
  Map<String, String> options = new LinkedHashMap<>();

  private final PrintStream out = System.out;
  private final PrintStream err = System.err;

  @Override
  public Integer call() throws Exception {
    try {
      return migrate();
    } catch (IllegalArgumentException | IllegalStateException | SavepointException e) {
      err.println(e.getMessage());
      return 1;
    }
  }

  private int migrate() throws Exception {
    String target = StateCommand.newOutput(output);
    Module loaded = ModuleLoader.load(module);
    long started = System.nanoTime();
    Path work = tmpDir == null ? Files.createTempDirectory("keyflow-migrate") : tmpDir;
    Path linesFile = lines != null ? lines : Files.createTempFile(work, "statefun-", ".jsonl");
    Path report = Files.createTempFile(work, "report-", ".json");
    try {
      StatefunReader.read(
          Locations.local(savepoint), linesFile, report, readerHeap, tmpDir, timeoutMinutes);
      BootstrapInput checked = BootstrapInput.check(linesFile, loaded, false);
      err.printf(
          "%s: %,d lines checked against %s; writing the Keyflow savepoint%n",
          linesFile, checked.lines(), module);
      Configuration conf = Configuration.fromMap(options);
      if (tmpDir != null && !options.containsKey("io.tmp.dirs")) {
        conf.setString("io.tmp.dirs", tmpDir.toString());
      }
      SavepointBootstrap.write(checked, target, parallelism, conf);
      JsonNode json = MAPPER.readTree(report.toFile());
      if (reportFile != null) {
        Files.copy(report, reportFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      MigrationReportText.print(out, json, target);
      err.printf("Migrated in %.1f s%n", (System.nanoTime() - started) / 1e9);
      return json.path("notCarried").isEmpty() && json.path("statesNotCarried").isEmpty() ? 0 : 3;
    } finally {
      Files.deleteIfExists(report);
      if (lines == null) {
        Files.deleteIfExists(linesFile);
      }
      if (tmpDir == null) {
        Files.deleteIfExists(work);
      }
    }
  }
}
