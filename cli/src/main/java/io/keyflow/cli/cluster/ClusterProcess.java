package io.keyflow.cli.cluster;

/**
 * A JobManager or TaskManager process started from a cluster directory.
 *
 * @param name {@code jobmanager} or {@code taskmanager-N}; a TaskManager's resource id, so the REST
 *     API lists it under this name
 * @param pid its process id
 * @param alive whether it still runs
 */
public record ClusterProcess(String name, long pid, boolean alive) {
  static final String JOB_MANAGER = "jobmanager";
  static final String TASK_MANAGER_PREFIX = "taskmanager-";

  /** Whether this is a TaskManager (the other process is the JobManager). */
  public boolean isTaskManager() {
    return name.startsWith(TASK_MANAGER_PREFIX);
  }
}
