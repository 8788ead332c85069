package io.keyflow.cli.state;

import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.savepoint.BootstrapInput;
import io.keyflow.savepoint.SavepointBootstrap;
import io.keyflow.savepoint.SavepointException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyflow state bootstrap}: writes a savepoint from JSON lines of values. */
@Command(
    name = "bootstrap",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a Keyflow savepoint from JSON lines (the shape 'keyflow state dump' writes: one"
          + " object per address with its values and pending work), for a job to start from with"
          + " 'keyflow run --from-savepoint' or 'keyflow submit --from-savepoint'. Every line is"
          + " checked against the module first; nothing is written if one is wrong."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow state bootstrap --input carts.jsonl --module module.yaml --output /tmp/sp-carts",
      "  keyflow state dump --savepoint old-sp > state.jsonl",
      "  keyflow state bootstrap --input state.jsonl --module module.yaml --output new-sp \\",
      "      --values-only"
    })
public final class StateBootstrapCommand implements Callable<Integer> {
  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE",
      description = "JSON lines: {\"function\":\"ns/type\",\"id\":\"...\",\"values\":{...}}.")
  Path input;

  @Option(
      names = "--module",
      required = true,
      paramLabel = "FILE",
      description = "The module.yaml of the job that will start from the savepoint.")
  String module;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "PATH",
      description = "The savepoint directory to create (must not exist).")
  String output;

  @Option(
      names = "--values-only",
      description =
          "Drop the in-flight, backlog and delayed messages of the lines (pending work);"
              + " without it they are written.")
  boolean valuesOnly;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "2",
      description = "Tasks writing state (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = {"-D"},
      paramLabel = "KEY=VALUE",
      description = "A Flink option for the local job that writes the state.")
  Map<String, String> options = new LinkedHashMap<>();

  private final PrintStream err = System.err;

  @Override
  public Integer call() throws Exception {
    try {
      return bootstrap();
    } catch (IllegalArgumentException | SavepointException e) {
      err.println(e.getMessage());
      return 1;
    }
  }

  private int bootstrap() throws Exception {
    String target = StateCommand.newOutput(output);
    Module loaded = ModuleLoader.load(module);
    long started = System.nanoTime();
    BootstrapInput checked = BootstrapInput.check(input, loaded, valuesOnly);
    err.printf(
        "%s: %,d lines checked, %d declared values; writing the savepoint%n",
        input, checked.lines(), checked.values().size());
    SavepointBootstrap.write(checked, target, parallelism, Configuration.fromMap(options));
    err.printf(
        "Savepoint written to %s in %.1f s; start the job with --from-savepoint %s%n",
        target, (System.nanoTime() - started) / 1e9, target);
    return 0;
  }
}
