package io.keyflow.cli.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * The configuration directory of a local cluster: Keyflow's {@code flink-conf/config.yaml} with the
 * settings a one-machine cluster needs (loopback addresses, ports, memory sizes, directories) put
 * over it, and a log4j configuration writing each process's log file.
 */
final class ClusterConfig {
  static final String BASE = "/io/keyflow/cli/flink-conf/config.yaml";

  /** The keyflow command's log4j configuration, which the cluster's processes share. */
  static final String LOG4J = "/keyflow-log4j2.properties";

  /**
   * Where {@link #LOG4J} writes for the command; each cluster process writes to Flink's log file.
   */
  private static final String COMMAND_LOG_FILE = "${sys:keyflow.log.file:-.keyflow/keyflow.log}";

  private ClusterConfig() {}

  static Path write(Path dir, int restPort, int slots, Map<String, String> extra)
      throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Map<String, String> local = new LinkedHashMap<>();
    local.put("jobmanager.rpc.address", "127.0.0.1");
    local.put("jobmanager.bind-host", "127.0.0.1");
    local.put("taskmanager.bind-host", "127.0.0.1");
    local.put("taskmanager.host", "127.0.0.1");
    local.put("rest.address", "127.0.0.1");
    local.put("rest.bind-address", "127.0.0.1");
    local.put("rest.port", Integer.toString(restPort));
    local.put("jobmanager.memory.process.size", "768m");
    local.put("taskmanager.memory.process.size", "1024m");
    local.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
    local.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
    local.put(
        "execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
    local.put("io.tmp.dirs", Files.createDirectories(dir.resolve("tmp")).toString());
    local.putAll(extra);
    Files.writeString(conf.resolve("config.yaml"), merge(resource(BASE), local));
    Files.writeString(conf.resolve("log4j.properties"), processLogging());
    Files.createDirectories(dir.resolve("log"));
    Files.createDirectories(dir.resolve("plugins"));
    return conf;
  }

  /**
   * The JVM options the configuration in {@code conf} gives the process, as Flink's start scripts
   * read them: {@code env.java.opts.all}, then {@code env.java.opts.jobmanager} or {@code
   * env.java.opts.taskmanager}, split at spaces. The file is read by Flink's own loader, so it
   * means what it means to Flink.
   */
  static List<String> javaOptions(Path conf, boolean jobManager) {
    Configuration flink = GlobalConfiguration.loadConfiguration(conf.toString());
    List<String> options = new ArrayList<>();
    for (ConfigOption<String> option :
        List.of(
            CoreOptions.FLINK_JVM_OPTIONS,
            jobManager ? CoreOptions.FLINK_JM_JVM_OPTIONS : CoreOptions.FLINK_TM_JVM_OPTIONS)) {
      String value = flink.get(option).trim();
      if (!value.isEmpty()) {
        options.addAll(Arrays.asList(value.split("\\s+")));
      }
    }
    return options;
  }

  /** The base file's lines without the keys set locally, then the local keys. */
  static String merge(String base, Map<String, String> local) {
    StringBuilder out = new StringBuilder();
    for (String line : base.lines().toList()) {
      String key = line.contains(":") ? line.substring(0, line.indexOf(':')).trim() : "";
      if (!local.containsKey(key)) {
        out.append(line).append('\n');
      }
    }
    out.append("\n# Local cluster (keyflow cluster start)\n");
    local.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
    return out.toString();
  }

  /** The command's logging, writing to the file Flink's scripts name for each process. */
  private static String processLogging() {
    String logging = resource(LOG4J);
    if (!logging.contains(COMMAND_LOG_FILE)) {
      throw new IllegalStateException(LOG4J + " no longer names its file " + COMMAND_LOG_FILE);
    }
    return logging.replace(COMMAND_LOG_FILE, "${sys:log.file}");
  }

  private static String resource(String path) {
    try (InputStream in = ClusterConfig.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("the CLI jar lacks " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
