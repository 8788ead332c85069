package io.keyflow.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.job.KeyflowOptions;
import io.keyflow.tracing.TracingOptions;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code flink-conf/config.yaml} against Flink's own option classes: Flink ignores unknown keys
 * silently, so a misspelt key would quietly lose a setting.
 */
class FlinkConfigurationFileTest {
  private static final Path CONF_DIR = Path.of("..", "flink-conf");
  private static Set<String> knownKeys;

  /** A reporter's options: {@code metrics.reporter.<name>.<option>}. */
  private static final Pattern REPORTER_KEY = Pattern.compile("metrics\\.reporter\\.[^.]+\\.(.+)");

  /** Options every reporter takes, and the Prometheus reporter's own ({@code port}). */
  private static final Set<String> REPORTER_OPTIONS =
      Set.of(
          MetricOptions.REPORTER_FACTORY_CLASS.key(),
          MetricOptions.REPORTER_INTERVAL.key(),
          MetricOptions.REPORTER_SCOPE_DELIMITER.key(),
          MetricOptions.REPORTER_EXCLUDED_VARIABLES.key(),
          "port");

  @BeforeAll
  static void collectFlinksOptions() throws Exception {
    knownKeys = new HashSet<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (entry.contains("flink-") && entry.endsWith(".jar")) {
        collectOptions(Path.of(entry));
      }
    }
    collectOptionsOf(KeyflowOptions.class);
    collectOptionsOf(TracingOptions.class);
    assertThat(knownKeys).as("Flink's option classes were found").hasSizeGreaterThan(500);
  }

  private static void collectOptions(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (name.startsWith("org/apache/flink/")
            && name.endsWith("Options.class")
            && !name.contains("$")) {
          try {
            collectOptionsOf(
                Class.forName(
                    name.replace('/', '.').substring(0, name.length() - ".class".length()),
                    false,
                    FlinkConfigurationFileTest.class.getClassLoader()));
          } catch (ClassNotFoundException | LinkageError e) {
            // A class whose dependencies are not on this classpath holds no option we set.
          }
        }
      }
    }
  }

  private static void collectOptionsOf(Class<?> type) {
    for (Field field : type.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
        try {
          ConfigOption<?> option = (ConfigOption<?>) field.get(null);
          knownKeys.add(option.key());
          for (FallbackKey key : option.fallbackKeys()) {
            knownKeys.add(key.getKey());
          }
        } catch (IllegalAccessException | LinkageError e) {
          // Not readable here: not one of ours.
        }
      }
    }
  }

  @Test
  void everyKeyIsAFlinkOrKeyflowOption() throws IOException {
    List<String> keys =
        Files.readAllLines(CONF_DIR.resolve("config.yaml")).stream()
            .map(String::trim)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .map(l -> l.substring(0, l.indexOf(':')).trim())
            .toList();

    assertThat(keys)
        .isNotEmpty()
        .allSatisfy(
            key -> {
              Matcher reporter = REPORTER_KEY.matcher(key);
              if (reporter.matches()) {
                assertThat(REPORTER_OPTIONS).as(key).contains(reporter.group(1));
              } else {
                assertThat(knownKeys).contains(key);
              }
            });
  }

  @Test
  void thePrometheusReporterIsConfiguredWithAPortRangeAndOnTheClasspath() throws Exception {
    Configuration conf = GlobalConfiguration.loadConfiguration(CONF_DIR.toString());
    Configuration prom = MetricOptions.forReporter(conf, "prom");

    String factory = prom.get(MetricOptions.REPORTER_FACTORY_CLASS);
    assertThat(factory).isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    assertThat(Class.forName(factory)).isNotNull();
    assertThat(prom.toMap().get("port")).matches("\\d+-\\d+");
  }

  @Test
  void settingsGiveRocksDbExactlyOnceRetainedCheckpointsAndABackingOffRestart() {
    Configuration conf = GlobalConfiguration.loadConfiguration(CONF_DIR.toString());

    assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
    assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
        .hasToString("EXACTLY_ONCE");
    assertThat(conf.get(CheckpointingOptions.ENABLE_UNALIGNED)).isFalse();
    assertThat(conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
        .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    assertThat(conf.get(PipelineOptions.MAX_PARALLELISM)).isEqualTo(128);
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
        .isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(
            conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER))
        .isGreaterThan(1.0);
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void settingsNoticeALostTaskManagerWithinSecondsAndRestartFromLocalState() {
    Configuration conf = GlobalConfiguration.loadConfiguration(CONF_DIR.toString());

    Duration interval = conf.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL);
    int threshold = conf.get(HeartbeatManagerOptions.HEARTBEAT_RPC_FAILURE_THRESHOLD);
    // A dead process is noticed by failed heartbeats; more than one, so one lost RPC is no loss.
    assertThat(threshold).isBetween(2, 3);
    assertThat(interval.multipliedBy(threshold)).isLessThanOrEqualTo(Duration.ofSeconds(3));
    // A live process that pauses is only suspected after the timeout: not on a GC pause.
    assertThat(conf.get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(15));
    assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
        .isLessThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(conf.get(StateRecoveryOptions.LOCAL_RECOVERY)).isTrue();
    // Committed output resumes with the first checkpoint after the restart.
    assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
        .isLessThanOrEqualTo(Duration.ofSeconds(2));
    // That checkpoint's barriers pass the catch-up's data sooner with small restored buffers.
    assertThat(conf.get(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED)).isTrue();
  }
}
