package io.keyflow.cli.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keyflow cluster start}: the JobManager and the TaskManagers of a local cluster. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = "Starts the JobManager and TaskManagers and waits until they are registered.",
    footer = {"", "Example:", "  keyflow cluster start --taskmanagers 2 --rest-port 8081"})
final class ClusterStartCommand implements Callable<Integer> {
  @Option(
      names = "--taskmanagers",
      paramLabel = "N",
      defaultValue = "2",
      description = "TaskManager processes (default: ${DEFAULT-VALUE}).")
  int taskManagers;

  @Option(
      names = "--slots",
      paramLabel = "N",
      defaultValue = "2",
      description = "Task slots per TaskManager (default: ${DEFAULT-VALUE}).")
  int slots;

  @Option(
      names = "--rest-port",
      paramLabel = "PORT",
      defaultValue = "8081",
      description = "Port of the REST API and web UI on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int restPort;

  @Mixin ClusterDirOption location;

  @Option(
      names = {"-D"},
      paramLabel = "KEY=VALUE",
      description = "A Flink option for the cluster, over flink-conf/config.yaml.")
  Map<String, String> options = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    LocalCluster cluster = new LocalCluster(location.dir);
    System.out.printf(
        "Starting a JobManager and %d TaskManager(s) in %s ...%n", taskManagers, cluster.dir());
    URI rest = cluster.start(taskManagers, slots, restPort, options, Duration.ofMinutes(2));
    System.out.printf(
        "Cluster running: REST API and web UI at %s; logs in %s%n",
        rest, cluster.dir().resolve("log"));
    return 0;
  }
}
