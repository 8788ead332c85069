package io.keyflow.cli.cluster;

import io.keyflow.cli.JvmFlags;
import io.keyflow.cli.KeyflowHome;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts Flink's JobManager and TaskManager main classes as separate JVMs, sized the way Flink's
 * own scripts size them ({@code BashJavaUtils}), detached from this process so that they outlive
 * it.
 */
final class FlinkProcesses {
  static final String JOB_MANAGER =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final String RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";

  private final Path dir;
  private final Path conf;
  private final ClusterLib lib;
  private final String classpath;

  FlinkProcesses(Path dir, Path conf) {
    this.dir = dir;
    this.conf = conf;
    this.lib = new ClusterLib(dir);
    List<String> entries = new ArrayList<>();
    entries.add(KeyflowHome.flinkClasspath());
    entries.addAll(lib.classpath());
    this.classpath = String.join(File.pathSeparator, entries);
  }

  /**
   * Starts a JobManager ({@code name} "jobmanager") or a TaskManager with {@code name} as its
   * resource id; returns its pid.
   */
  long start(String name, boolean jobManager) throws IOException, InterruptedException {
    List<String> sizing = sizing(jobManager ? "GET_JM_RESOURCE_PARAMS" : "GET_TM_RESOURCE_PARAMS");
    List<String> command = new ArrayList<>();
    if (new File("/usr/bin/setsid").canExecute()) {
      // Its own session: Ctrl-C on the terminal that started the cluster must not stop it.
      command.add("/usr/bin/setsid");
    }
    command.add(java());
    command.addAll(JvmFlags.inherited());
    command.addAll(lib.jvmOptions());
    command.addAll(ClusterConfig.javaOptions(conf, jobManager));
    command.addAll(Arrays.asList(sizing.get(0).trim().split("\\s+")));
    command.add("-Dlog.file=" + dir.resolve("log").resolve(name + ".log"));
    command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    command.add("-cp");
    command.add(classpath);
    command.add(jobManager ? JOB_MANAGER : TASK_MANAGER);
    command.add("--configDir");
    command.add(conf.toString());
    if (sizing.size() > 1) {
      command.addAll(Arrays.asList(sizing.get(1).trim().split("\\s+")));
    }
    if (!jobManager) {
      // Registers under its name, so that the REST API's TaskManagers match the pid files.
      command.add("-D");
      command.add("taskmanager.resource-id=" + name);
    }
    Path out = dir.resolve("log").resolve(name + ".out");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("FLINK_CONF_DIR", conf.toString());
    builder.environment().put("FLINK_PLUGINS_DIR", dir.resolve("plugins").toString());
    Process process = builder.start();
    return process.pid();
  }

  /** The JVM flags and dynamic properties Flink computes from the configured memory sizes. */
  private List<String> sizing(String what) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                java(),
                "-cp",
                classpath,
                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                what,
                "--configDir",
                conf.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("sizing the " + what + " JVM failed: " + output);
    }
    List<String> results = new ArrayList<>();
    for (String line : output.lines().toList()) {
      if (line.startsWith(RESULT)) {
        results.add(line.substring(RESULT.length()));
      }
    }
    if (results.isEmpty()) {
      throw new IOException("sizing the " + what + " JVM printed no result: " + output);
    }
    return results;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static void writePid(Path file, long pid) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, Long.toString(pid));
  }
}
