package io.keyflow.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyflow.cli.flink.FlinkRest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A standalone Flink cluster on this machine: one JobManager and N TaskManagers as separate JVM
 * processes, with configuration, logs, pid files, checkpoints and savepoints under one directory.
 */
public final class LocalCluster {
  private final Path dir;

  public LocalCluster(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  /**
   * Writes the configuration, starts the JobManager and {@code taskManagers} TaskManagers, and
   * waits until they are all registered.
   *
   * @return the REST address
   */
  public URI start(
      int taskManagers, int slots, int restPort, Map<String, String> options, Duration timeout)
      throws Exception {
    if (!runningPids().isEmpty()) {
      throw new IllegalStateException(
          "a cluster is already running from "
              + dir
              + " (pids "
              + runningPids()
              + "); stop it first: keyflow cluster stop");
    }
    Path conf = ClusterConfig.write(dir, restPort, slots, options);
    Files.writeString(dir.resolve("rest-address"), "http://127.0.0.1:" + restPort);
    FlinkProcesses processes = new FlinkProcesses(dir, conf);
    FlinkProcesses.writePid(pidFile("jobmanager"), processes.start("jobmanager", true));
    for (int i = 0; i < taskManagers; i++) {
      startTaskManager();
    }
    URI rest = restAddress();
    awaitTaskManagers(rest, taskManagers, timeout);
    return rest;
  }

  /** Starts one more TaskManager with the cluster's configuration; returns its pid. */
  public long startTaskManager() throws Exception {
    FlinkProcesses processes = new FlinkProcesses(dir, dir.resolve("conf"));
    int index = 1;
    while (Files.exists(pidFile("taskmanager-" + index))) {
      index++;
    }
    String name = "taskmanager-" + index;
    long pid = processes.start(name, false);
    FlinkProcesses.writePid(pidFile(name), pid);
    return pid;
  }

  /** The pids of the TaskManagers started from this directory that are still alive. */
  public List<Long> taskManagerPids() throws IOException {
    List<Long> pids = new ArrayList<>();
    for (Path file : pidFiles()) {
      if (file.getFileName().toString().startsWith("taskmanager-")) {
        alive(file).ifPresent(pids::add);
      }
    }
    return pids;
  }

  public URI restAddress() throws IOException {
    Path file = dir.resolve("rest-address");
    if (!Files.exists(file)) {
      throw new IllegalStateException("no cluster was started from " + dir);
    }
    return URI.create(Files.readString(file).trim());
  }

  /** Waits until {@code count} TaskManagers are registered with the JobManager. */
  public void awaitTaskManagers(URI rest, int count, Duration timeout) throws Exception {
    FlinkRest client = new FlinkRest(rest);
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (alive(pidFile("jobmanager")).isEmpty()) {
        throw new IllegalStateException(
            "the JobManager exited; see " + dir.resolve("log").resolve("jobmanager.log"));
      }
      try {
        JsonNode overview = client.get("/overview");
        if (overview.path("taskmanagers").asInt() >= count) {
          return;
        }
        last = overview.path("taskmanagers").asInt() + " TaskManager(s) registered";
      } catch (IOException e) {
        last = e.getMessage();
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "the cluster did not get "
            + count
            + " TaskManager(s) within "
            + timeout
            + " ("
            + last
            + "); logs in "
            + dir.resolve("log"));
  }

  /** Stops every process started from this directory: SIGTERM, then SIGKILL after the timeout. */
  public List<Long> stop(Duration timeout) throws Exception {
    List<ProcessHandle> running = new ArrayList<>();
    List<Path> files = pidFiles();
    // TaskManagers first, so that the JobManager does not try to restart jobs on them.
    files.sort((a, b) -> a.getFileName().toString().startsWith("jobmanager") ? 1 : -1);
    for (Path file : files) {
      alive(file).flatMap(ProcessHandle::of).ifPresent(running::add);
    }
    running.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle process : running) {
      long left = Math.max(1, deadline - System.nanoTime());
      try {
        process.onExit().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        process.destroyForcibly();
        process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
    for (Path file : files) {
      Files.deleteIfExists(file);
    }
    return running.stream().map(ProcessHandle::pid).toList();
  }

  /** Pids started from this directory that are still running. */
  public List<Long> runningPids() throws IOException {
    List<Long> pids = new ArrayList<>();
    for (Path file : pidFiles()) {
      alive(file).ifPresent(pids::add);
    }
    return pids;
  }

  private Path pidFile(String name) {
    return dir.resolve("pids").resolve(name + ".pid");
  }

  private List<Path> pidFiles() throws IOException {
    Path pids = dir.resolve("pids");
    if (!Files.isDirectory(pids)) {
      return new ArrayList<>();
    }
    try (Stream<Path> files = Files.list(pids)) {
      return new ArrayList<>(files.filter(p -> p.toString().endsWith(".pid")).toList());
    }
  }

  /** The pid in {@code file} if that process is alive and is a Java process. */
  private static Optional<Long> alive(Path file) {
    try {
      long pid = Long.parseLong(Files.readString(file).trim());
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(true))
          .map(ProcessHandle::pid);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
