package io.keyflow.cli;

import io.keyflow.cli.address.AddressCommand;
import io.keyflow.cli.address.InspectCommand;
import io.keyflow.cli.bench.BenchCommand;
import io.keyflow.cli.cluster.ClusterCommand;
import io.keyflow.cli.gateway.GatewayCommand;
import io.keyflow.cli.jobs.SavepointCommand;
import io.keyflow.cli.jobs.SchedulesCommand;
import io.keyflow.cli.jobs.StatusCommand;
import io.keyflow.cli.jobs.SubmitCommand;
import io.keyflow.cli.kafka.RedriveCommand;
import io.keyflow.cli.kafka.SendCommand;
import io.keyflow.cli.kafka.TailCommand;
import io.keyflow.cli.migrate.MigrateCommand;
import io.keyflow.cli.run.RunCommand;
import io.keyflow.cli.state.StateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code keyflow} command line. */
@Command(
    name = "keyflow",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Stateful serverless functions on Apache Flink.",
    subcommands = {
      RunCommand.class,
      GatewayCommand.class,
      SendCommand.class,
      TailCommand.class,
      RedriveCommand.class,
      ClusterCommand.class,
      SubmitCommand.class,
      SavepointCommand.class,
      StatusCommand.class,
      SchedulesCommand.class,
      StateCommand.class,
      MigrateCommand.class,
      InspectCommand.class,
      AddressCommand.class,
      BenchCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  keyflow run                 runs the example shop",
      "  keyflow send --topic cart --key alice '{\"action\":\"add\",\"item\":\"apple\"}'",
      "  keyflow tail --topic cart-views",
      "",
      "Run 'keyflow COMMAND --help' for a command's options."
    })
public final class Keyflow implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "keyflow-log4j2.properties");
    }
    int status = new CommandLine(new Keyflow()).execute(args);
    System.exit(status);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
