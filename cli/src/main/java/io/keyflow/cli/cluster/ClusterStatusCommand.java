package io.keyflow.cli.cluster;

import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.FlinkTaskManagers;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code keyflow cluster status}: each process started from the cluster directory, whether it runs,
 * and whether the JobManager counts it as a registered TaskManager with its slots.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the cluster's processes (TaskManagers added later included): pid, whether each"
          + " runs, and for TaskManagers whether the JobManager has them registered and their"
          + " free slots. Exit status 1 when the JobManager does not run."
    },
    footer = {"", "Example:", "  keyflow cluster status"})
final class ClusterStatusCommand implements Callable<Integer> {
  @Mixin ClusterDirOption location;

  @Override
  public Integer call() throws Exception {
    LocalCluster cluster = new LocalCluster(location.dir);
    List<ClusterProcess> processes = cluster.processes();
    if (processes.stream().noneMatch(ClusterProcess::alive)) {
      System.out.println("No cluster process is running from " + cluster.dir() + ".");
      return 1;
    }
    URI rest = cluster.restAddress();
    Map<String, FlinkTaskManagers.Registered> registered;
    try {
      registered =
          new FlinkTaskManagers(new FlinkRest(rest))
              .registered().stream()
                  .collect(Collectors.toMap(FlinkTaskManagers.Registered::id, Function.identity()));
    } catch (IOException e) {
      registered = null;
    }
    System.out.printf("Cluster in %s, REST API and web UI at %s%n", cluster.dir(), rest);
    boolean jobManagerRuns = false;
    for (ClusterProcess process : processes) {
      String state = process.alive() ? "running" : "exited";
      if (process.isTaskManager() && process.alive() && registered != null) {
        FlinkTaskManagers.Registered tm = registered.get(process.name());
        state +=
            tm == null
                ? ", not registered"
                : ", registered, %s (%d free)".formatted(slots(tm.slots()), tm.freeSlots());
      }
      jobManagerRuns |= !process.isTaskManager() && process.alive();
      System.out.printf("  %-16s pid %-8d %s%n", process.name(), process.pid(), state);
    }
    if (registered == null) {
      System.out.println("The REST API does not answer at " + rest + ".");
    } else {
      int slots = registered.values().stream().mapToInt(FlinkTaskManagers.Registered::slots).sum();
      int free =
          registered.values().stream().mapToInt(FlinkTaskManagers.Registered::freeSlots).sum();
      System.out.printf(
          "%d TaskManager(s) registered, %s (%d free)%n", registered.size(), slots(slots), free);
    }
    return jobManagerRuns ? 0 : 1;
  }

  private static String slots(int count) {
    return count + (count == 1 ? " slot" : " slots");
  }
}
