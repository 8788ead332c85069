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
      names = "--job-jar-in-lib",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = {
        "Put a copy of the job jar on every process's classpath, with the job's classes resolved"
            + " parent-first, so a TaskManager that takes over a lost one's tasks loads no per-job"
            + " copy of them (default: on). Restart the cluster after rebuilding the job jar."
      })
  boolean jobJarInLib;

  @Option(
      names = "--rocksdb-library-in-lib",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = {
        "Unpack RocksDB's native library once, where every process finds it, instead of on each"
            + " process's first restore (default: on)."
      })
  boolean rocksDbLibraryInLib;

  @Option(
      names = "--warm-up",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = {
        "Start every TaskManager with the job jar's warm-up agent, which loads the classes of"
            + " Keyflow's tasks, RocksDB and the Kafka client in the background, so that a spare"
            + " TaskManager taking over a lost one's tasks starts them sooner (default: on; needs"
            + " the job jar in lib/)."
      })
  boolean warmUp;

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
    URI rest =
        cluster.start(
            taskManagers,
            slots,
            restPort,
            options,
            new LocalCluster.Preload(jobJarInLib, rocksDbLibraryInLib, warmUp),
            Duration.ofMinutes(2));
    System.out.printf(
        "Cluster running: REST API and web UI at %s; logs in %s%n",
        rest, cluster.dir().resolve("log"));
    if (jobJarInLib) {
      System.out.printf(
          "The job's classes load from %s, copied from this build: after rebuilding the job,"
              + " restart the cluster (keyflow cluster stop, then start).%n",
          cluster.dir().resolve("lib").resolve(ClusterLib.JOB_JAR));
    }
    return 0;
  }
}
