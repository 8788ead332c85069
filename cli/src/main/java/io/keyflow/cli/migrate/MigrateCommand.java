package io.keyflow.cli.migrate;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keyflow migrate}: moves state from another system into a Keyflow savepoint. */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = "Moves a running application's state from another system to Keyflow.",
    subcommands = {MigrateStatefunCommand.class})
public final class MigrateCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
