package io.keyflow.cli.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration directory of a local cluster: Keyflow's {@code flink-conf/config.yaml} with the
 * settings a one-machine cluster needs (loopback addresses, ports, memory sizes, directories) put
 * over it, and a log4j configuration writing each process's log file.
 */
final class ClusterConfig {
  static final String BASE = "/io/keyflow/cli/flink-conf/config.yaml";

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
    Files.writeString(conf.resolve("config.yaml"), merge(base(), local));
    Files.writeString(conf.resolve("log4j.properties"), LOG4J);
    Files.createDirectories(dir.resolve("log"));
    Files.createDirectories(dir.resolve("plugins"));
    return conf;
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

  private static String base() {
    try (InputStream in = ClusterConfig.class.getResourceAsStream(BASE)) {
      if (in == null) {
        throw new IllegalStateException("the CLI jar lacks " + BASE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String LOG4J =
      String.join(
          "\n",
          List.of(
              "rootLogger.level = INFO",
              "rootLogger.appenderRef.file.ref = file",
              "appender.file.type = File",
              "appender.file.name = file",
              "appender.file.fileName = ${sys:log.file}",
              "appender.file.layout.type = PatternLayout",
              "appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-40c{1.} - %m%n",
              "logger.kafka.name = org.apache.kafka",
              "logger.kafka.level = WARN",
              // Flink's sink committer re-registers a gauge at every checkpoint and warns each
              // time.
              "logger.metricgroup.name = org.apache.flink.metrics.MetricGroup",
              "logger.metricgroup.level = WARN",
              "logger.metricgroup.filter.committables.type = RegexFilter",
              "logger.metricgroup.filter.committables.regex = .*'pendingCommittables'.*",
              "logger.metricgroup.filter.committables.onMatch = DENY",
              "logger.metricgroup.filter.committables.onMismatch = NEUTRAL",
              ""));
}
