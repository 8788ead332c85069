package io.keyflow.cli.cluster;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code keyflow cluster add-taskmanager}: one more TaskManager for a running local cluster, for
 * example to replace one that was lost, without restarting the cluster or its jobs.
 */
@Command(
    name = "add-taskmanager",
    mixinStandardHelpOptions = true,
    description = {
      "Starts one more TaskManager for the running cluster, with the cluster's configuration"
          + " (the same slots and memory), and waits until it is registered. Use it to replace a"
          + " TaskManager that was lost; jobs keep running. cluster status lists it and cluster"
          + " stop stops it."
    },
    footer = {"", "Example:", "  keyflow cluster add-taskmanager"})
final class AddTaskManagerCommand implements Callable<Integer> {
  @Mixin ClusterDirOption location;

  @Override
  public Integer call() throws Exception {
    LocalCluster cluster = new LocalCluster(location.dir);
    ClusterProcess added = cluster.addTaskManager(Duration.ofMinutes(2));
    System.out.printf(
        "Added %s (pid %d), registered with the cluster at %s; log in %s%n",
        added.name(),
        added.pid(),
        cluster.restAddress(),
        cluster.dir().resolve("log").resolve(added.name() + ".log"));
    return 0;
  }
}
