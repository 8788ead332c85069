package io.keyflow.cli.state;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keyflow state}: offline tools for savepoints. */
@Command(
    name = "state",
    mixinStandardHelpOptions = true,
    description = "Offline tools for Keyflow savepoints and retained checkpoints.",
    subcommands = {StateDumpCommand.class, StateBootstrapCommand.class})
public final class StateCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** A path as Flink expects it: URIs unchanged, local paths absolute with a file scheme. */
  public static String location(String path) {
    if (isUri(path)) {
      return path;
    }
    return java.nio.file.Path.of(path).toAbsolutePath().normalize().toUri().toString();
  }

  /**
   * The location to write a new savepoint at {@code output}, refusing a local directory that exists
   * already.
   *
   * @throws IllegalArgumentException if {@code output} is a local path that exists
   */
  public static String newOutput(String output) {
    if (!isUri(output) && java.nio.file.Files.exists(java.nio.file.Path.of(output))) {
      throw new IllegalArgumentException(
          "--output " + output + ": exists already; give a new directory");
    }
    return location(output);
  }

  /** Whether {@code path} starts with a URI scheme such as {@code file:} or {@code s3://}. */
  public static boolean isUri(String path) {
    return path.matches("[a-zA-Z][a-zA-Z0-9+.-]+:.*");
  }
}
