package io.keyflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyflow.cli.cluster.ClusterProcess;
import io.keyflow.cli.cluster.LocalCluster;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.FlinkTaskManagers;
import io.keyflow.cli.flink.FlinkTaskManagers.Registered;
import io.keyflow.testing.CliProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Losing and replacing a TaskManager of a local cluster: which one to kill so that a job loses
 * tasks, and its replacement with {@code keyflow cluster add-taskmanager}, checked through the REST
 * API and {@code keyflow cluster status}.
 */
final class TaskManagerReplacement {
  private TaskManagerReplacement() {}

  /** A running TaskManager that holds a slot of a job (the job's tasks run there). */
  static ClusterProcess oneRunningTasks(LocalCluster cluster, URI rest) throws Exception {
    List<Registered> busy =
        new FlinkTaskManagers(new FlinkRest(rest))
            .registered().stream().filter(tm -> tm.freeSlots() < tm.slots()).toList();
    return cluster.processes().stream()
        .filter(p -> p.alive() && p.isTaskManager())
        .filter(p -> busy.stream().anyMatch(tm -> tm.id().equals(p.name())))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no TaskManager runs tasks: " + busy));
  }

  /**
   * Adds a TaskManager with {@code keyflow cluster add-taskmanager} once the cluster has dropped
   * the lost one, and checks that the REST API counts one more TaskManager with as many slots as
   * the others and that {@code cluster status} lists the lost one as exited and the new one as
   * registered.
   */
  static void replace(Path workingDir, LocalCluster cluster, URI rest, ClusterProcess lost)
      throws Exception {
    FlinkTaskManagers registry = new FlinkTaskManagers(new FlinkRest(rest));
    await("the cluster drops " + lost.name())
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> registry.registered().stream().noneMatch(tm -> tm.id().equals(lost.name())));
    List<Registered> before = registry.registered();

    List<String> added =
        CliProcess.runToEnd(
            workingDir,
            Duration.ofMinutes(3),
            "cluster",
            "add-taskmanager",
            "--dir",
            cluster.dir().toString());

    List<Registered> after = registry.registered();
    ClusterProcess replacement =
        cluster.processes().stream()
            .filter(p -> p.alive() && p.isTaskManager())
            .filter(p -> before.stream().noneMatch(tm -> tm.id().equals(p.name())))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no new TaskManager process: " + added));
    assertThat(added).anyMatch(l -> l.startsWith("Added " + replacement.name() + " "));
    assertThat(after).hasSize(before.size() + 1);
    Registered registered =
        after.stream()
            .filter(tm -> tm.id().equals(replacement.name()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(replacement.name() + " not in " + after));
    assertThat(before).isNotEmpty().allMatch(tm -> tm.slots() == registered.slots());
    int slots = after.stream().mapToInt(Registered::slots).sum();
    assertThat(slots)
        .isEqualTo(before.stream().mapToInt(Registered::slots).sum() + registered.slots());

    List<String> status =
        CliProcess.runToEnd(
            workingDir,
            Duration.ofMinutes(1),
            "cluster",
            "status",
            "--dir",
            cluster.dir().toString());
    assertThat(status)
        .anyMatch(l -> l.trim().startsWith(lost.name() + " ") && l.endsWith(" exited"))
        .anyMatch(l -> l.trim().startsWith(replacement.name() + " ") && l.contains(", registered"))
        .anyMatch(
            l -> l.startsWith(after.size() + " TaskManager(s) registered, " + slots + " slot"));
  }
}
