package io.keyflow.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalClusterTest {
  /** No process has this pid: Linux pids stay far below it. */
  private static final long NO_SUCH_PID = Long.MAX_VALUE;

  @TempDir Path dir;

  @Test
  void processesListTheJobManagerFirstThenTaskManagersByNumberWithWhetherTheyRun()
      throws Exception {
    long self = ProcessHandle.current().pid();
    pidFile("taskmanager-10", self);
    pidFile("taskmanager-2", NO_SUCH_PID);
    pidFile("jobmanager", self);
    pidFile("taskmanager-1", self);

    assertThat(new LocalCluster(dir).processes())
        .containsExactly(
            new ClusterProcess("jobmanager", self, true),
            new ClusterProcess("taskmanager-1", self, true),
            new ClusterProcess("taskmanager-2", NO_SUCH_PID, false),
            new ClusterProcess("taskmanager-10", self, true));
    assertThat(new LocalCluster(dir).runningPids()).containsExactly(self, self, self);
  }

  @Test
  void addingATaskManagerWithoutARunningJobManagerFailsAndStartsNothing() throws Exception {
    pidFile("jobmanager", NO_SUCH_PID);
    LocalCluster cluster = new LocalCluster(dir);

    assertThatThrownBy(() -> cluster.addTaskManager(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no JobManager is running from " + cluster.dir())
        .hasMessageContaining("keyflow cluster start");
    assertThat(cluster.processes()).extracting(ClusterProcess::name).containsExactly("jobmanager");
  }

  private void pidFile(String name, long pid) throws Exception {
    Files.createDirectories(dir.resolve("pids"));
    Files.writeString(dir.resolve("pids").resolve(name + ".pid"), Long.toString(pid));
  }
}
