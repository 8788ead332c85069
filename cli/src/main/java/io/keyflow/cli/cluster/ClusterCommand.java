package io.keyflow.cli.cluster;

import picocli.CommandLine.Command;

/**
 * {@code keyflow cluster start|add-taskmanager|status|stop}: a Flink cluster of local processes.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a standalone Flink 2.2 cluster on this machine: a JobManager and TaskManagers as"
          + " separate JVM processes, from Keyflow's build (no Flink distribution needed), with"
          + " flink-conf/config.yaml. Configuration, logs, checkpoints and savepoints go under"
          + " the cluster directory."
    },
    subcommands = {
      ClusterStartCommand.class,
      AddTaskManagerCommand.class,
      ClusterStatusCommand.class,
      ClusterStopCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  keyflow cluster start --taskmanagers 2",
      "  keyflow submit --rest http://127.0.0.1:8081 --module module.yaml",
      "  keyflow cluster add-taskmanager",
      "  keyflow cluster status",
      "  keyflow cluster stop"
    })
public final class ClusterCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
