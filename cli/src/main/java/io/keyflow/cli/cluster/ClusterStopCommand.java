package io.keyflow.cli.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code keyflow cluster stop}: every process started from the cluster directory. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description =
        "Stops every process of the cluster, TaskManagers added later included (SIGTERM, then"
            + " SIGKILL after 30 s).",
    footer = {"", "Example:", "  keyflow cluster stop"})
final class ClusterStopCommand implements Callable<Integer> {
  @Mixin ClusterDirOption location;

  @Override
  public Integer call() throws Exception {
    List<Long> stopped = new LocalCluster(location.dir).stop(Duration.ofSeconds(30));
    System.out.println(
        stopped.isEmpty() ? "No cluster process was running." : "Stopped processes " + stopped);
    return 0;
  }
}
