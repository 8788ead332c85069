package io.keyflow.cli.cluster;

import io.keyflow.cli.KeyflowHome;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.FlinkTaskManagers;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A standalone Flink cluster on this machine: one JobManager and TaskManagers as separate JVM
 * processes, with configuration, logs, pid files, checkpoints and savepoints under one directory.
 * Each TaskManager is named {@code taskmanager-N} (N never reused while the cluster runs) and
 * registers under that name as its resource id, so the REST API's list and the pid files agree.
 */
public final class LocalCluster {
  private static final Comparator<ClusterProcess> JOB_MANAGER_FIRST =
      Comparator.comparing((ClusterProcess p) -> p.isTaskManager())
          .thenComparingInt(p -> index(p.name()));

  private final Path dir;

  public LocalCluster(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  /**
   * What {@code cluster start} puts in place for its processes before any job runs (see {@link
   * ClusterLib}).
   *
   * @param jobJar the job jar on every process's classpath, its classes resolved parent-first
   * @param rocksDbLibrary RocksDB's native library unpacked once, on the JVMs' library path
   * @param warmUp the job jar's warm-up agent on every TaskManager ({@code -javaagent}, in {@code
   *     env.java.opts.taskmanager}), which loads what Keyflow's tasks use in the background when
   *     the TaskManager starts; only with {@code jobJar}, whose classes it loads
   */
  public record Preload(boolean jobJar, boolean rocksDbLibrary, boolean warmUp) {}

  /** Where the TaskManagers' JVM options go, the warm-up agent among them. */
  static final String TASK_MANAGER_JVM_OPTIONS = "env.java.opts.taskmanager";

  /**
   * Writes the configuration and {@code lib/} ({@code preload}), starts the JobManager and {@code
   * taskManagers} TaskManagers, and waits until they are all registered.
   *
   * @return the REST address
   */
  public URI start(
      int taskManagers,
      int slots,
      int restPort,
      Map<String, String> options,
      Preload preload,
      Duration timeout)
      throws Exception {
    if (!runningPids().isEmpty()) {
      throw new IllegalStateException(
          "a cluster is already running from "
              + dir
              + " (pids "
              + runningPids()
              + "); stop it first: keyflow cluster stop");
    }
    // TaskManager names start again at taskmanager-1; a killed TaskManager of an earlier run
    // left its working directory (and local state) under that name, which the new one must not
    // mistake for its own.
    deleteRecursively(dir.resolve("tmp"));
    ClusterLib lib = new ClusterLib(dir);
    lib.clear();
    Map<String, String> settings = new LinkedHashMap<>();
    if (preload.jobJar()) {
      lib.addJobJar(KeyflowHome.jobJar());
      // The job's classes then come from the system class loader, loaded once per process and
      // kept across jobs and restarts, instead of from each job's copy of the uploaded jar (the
      // same jar: parent-first never mixes classes of the two copies).
      settings.put("classloader.resolve-order", "parent-first");
      settings.put(
          ClusterJobJar.DIGEST_KEY,
          ClusterJobJar.digest(dir.resolve("lib").resolve(ClusterLib.JOB_JAR)));
    }
    if (preload.rocksDbLibrary()) {
      lib.addRocksDbLibrary(KeyflowHome.flinkClasspath());
    }
    settings.putAll(options);
    if (preload.jobJar() && preload.warmUp()) {
      // After any options of the user's own for the TaskManagers' JVMs.
      settings.merge(
          TASK_MANAGER_JVM_OPTIONS,
          "-javaagent:" + dir.resolve("lib").resolve(ClusterLib.JOB_JAR),
          (own, agent) -> own + " " + agent);
    }
    Path conf = ClusterConfig.write(dir, restPort, slots, settings);
    Files.writeString(dir.resolve("rest-address"), "http://127.0.0.1:" + restPort);
    FlinkProcesses processes = new FlinkProcesses(dir, conf);
    FlinkProcesses.writePid(
        pidFile(ClusterProcess.JOB_MANAGER), processes.start(ClusterProcess.JOB_MANAGER, true));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < taskManagers; i++) {
      names.add(startTaskManager().name());
    }
    awaitRegistered(names, timeout);
    return restAddress();
  }

  /**
   * Starts one more TaskManager with the cluster's configuration, for example to replace one that
   * was lost, and waits until it is registered.
   *
   * @return the new TaskManager
   */
  public ClusterProcess addTaskManager(Duration timeout) throws Exception {
    if (!jobManagerRunning()) {
      throw new IllegalStateException(
          "no JobManager is running from " + dir + "; start the cluster: keyflow cluster start");
    }
    ClusterProcess added = startTaskManager();
    awaitRegistered(List.of(added.name()), timeout);
    return added;
  }

  private ClusterProcess startTaskManager() throws Exception {
    int index =
        processes().stream()
                .filter(ClusterProcess::isTaskManager)
                .mapToInt(p -> index(p.name()))
                .max()
                .orElse(0)
            + 1;
    String name = ClusterProcess.TASK_MANAGER_PREFIX + index;
    long pid = new FlinkProcesses(dir, dir.resolve("conf")).start(name, false);
    FlinkProcesses.writePid(pidFile(name), pid);
    return new ClusterProcess(name, pid, true);
  }

  /** Every process started from this directory since the cluster started, JobManager first. */
  public List<ClusterProcess> processes() throws IOException {
    List<ClusterProcess> processes = new ArrayList<>();
    for (Path file : pidFiles()) {
      String name = file.getFileName().toString().replaceFirst("\\.pid$", "");
      Optional<Long> pid = readPid(file);
      if (pid.isPresent()) {
        processes.add(new ClusterProcess(name, pid.get(), alive(pid.get())));
      }
    }
    processes.sort(JOB_MANAGER_FIRST);
    return processes;
  }

  public URI restAddress() throws IOException {
    Path file = dir.resolve("rest-address");
    if (!Files.exists(file)) {
      throw new IllegalStateException("no cluster was started from " + dir);
    }
    return URI.create(Files.readString(file).trim());
  }

  /**
   * Waits until the named TaskManagers are registered with the JobManager; fails early when the
   * JobManager or one of them exits.
   */
  private void awaitRegistered(List<String> names, Duration timeout) throws Exception {
    FlinkTaskManagers registry = new FlinkTaskManagers(new FlinkRest(restAddress()));
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      for (ClusterProcess process : processes()) {
        boolean awaited =
            process.name().equals(ClusterProcess.JOB_MANAGER) || names.contains(process.name());
        if (awaited && !process.alive()) {
          throw new IllegalStateException(
              process.name()
                  + " exited; see "
                  + dir.resolve("log").resolve(process.name() + ".log"));
        }
      }
      try {
        // Listed with its slots: the resource manager lists a TaskManager a moment before its
        // slot manager has taken its slots, and until then it has none to offer a job.
        Set<String> registered =
            registry.registered().stream()
                .filter(tm -> tm.slots() > 0)
                .map(FlinkTaskManagers.Registered::id)
                .collect(Collectors.toSet());
        if (registered.containsAll(names)) {
          return;
        }
        last = "registered: " + registered;
      } catch (IOException e) {
        last = e.getMessage();
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "the cluster did not register "
            + names
            + " within "
            + timeout
            + " ("
            + last
            + "); logs in "
            + dir.resolve("log"));
  }

  /** Stops every process started from this directory: SIGTERM, then SIGKILL after the timeout. */
  public List<Long> stop(Duration timeout) throws Exception {
    List<ProcessHandle> running = new ArrayList<>();
    List<ClusterProcess> processes = processes();
    // TaskManagers first, so that the JobManager does not try to restart jobs on them.
    processes.sort(JOB_MANAGER_FIRST.reversed());
    for (ClusterProcess process : processes) {
      if (process.alive()) {
        ProcessHandle.of(process.pid()).ifPresent(running::add);
      }
    }
    running.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ProcessHandle process : running) {
      long left = Math.max(1, deadline - System.nanoTime());
      try {
        process.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);
      }
    }
    for (Path file : pidFiles()) {
      Files.deleteIfExists(file);
    }
    return running.stream().map(ProcessHandle::pid).toList();
  }

  /** Pids started from this directory that are still running. */
  public List<Long> runningPids() throws IOException {
    return processes().stream().filter(ClusterProcess::alive).map(ClusterProcess::pid).toList();
  }

  private boolean jobManagerRunning() throws IOException {
    return processes().stream()
        .anyMatch(p -> p.name().equals(ClusterProcess.JOB_MANAGER) && p.alive());
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

  private static Optional<Long> readPid(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code pid} runs and is a Java process (a pid reused by another program is not). */
  private static boolean alive(long pid) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(true))
        .isPresent();
  }

  private static int index(String name) {
    return name.startsWith(ClusterProcess.TASK_MANAGER_PREFIX)
        ? Integer.parseInt(name.substring(ClusterProcess.TASK_MANAGER_PREFIX.length()))
        : 0;
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(path)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
