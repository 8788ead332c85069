package io.keyflow.cli.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a command reaches Kafka: the bootstrap servers and any client properties, so that the
 * commands reach a secured cluster (SASL, TLS) as the job does. Properties come from {@code
 * --properties FILE}, then each {@code --property KEY=VALUE}; {@code --bootstrap-servers} wins over
 * both, and without any of them the local broker of {@code keyflow run} is used.
 */
public final class KafkaClientOptions {
  static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "Kafka's bootstrap servers (default: bootstrap.servers of --property or --properties,"
              + " else "
              + DEFAULT_BOOTSTRAP_SERVERS
              + ").")
  String bootstrapServers;

  @Option(
      names = "--property",
      paramLabel = "KEY=VALUE",
      description =
          "A Kafka client property, such as security.protocol=SASL_SSL; repeat for more. Wins"
              + " over --properties.")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(
      names = "--properties",
      paramLabel = "FILE",
      description = "A file of Kafka client properties (Java properties format).")
  Path file;

  /**
   * The client properties, bootstrap servers included; a file it cannot read is a usage error
   * naming it.
   */
  public Properties clientProperties() {
    Properties out = overrides();
    if (!out.containsKey("bootstrap.servers")) {
      out.setProperty("bootstrap.servers", DEFAULT_BOOTSTRAP_SERVERS);
    }
    return out;
  }

  /**
   * Only what the options say, bootstrap servers included if given: for a command whose Kafka
   * settings come from module.yaml and are overridden by the options.
   */
  public Properties overrides() {
    Properties out = new Properties();
    if (file != null) {
      try (Reader reader = Files.newBufferedReader(file)) {
        out.load(reader);
      } catch (NoSuchFileException e) {
        throw usage("--properties " + file + ": no such file", e);
      } catch (IOException | IllegalArgumentException e) {
        throw usage(
            "--properties " + file + ": cannot read it as Java properties: " + e.getMessage(), e);
      }
    }
    out.putAll(properties);
    if (bootstrapServers != null) {
      out.setProperty("bootstrap.servers", bootstrapServers);
    }
    return out;
  }

  private RuntimeException usage(String message, Exception cause) {
    return command == null
        ? new IllegalArgumentException(message, cause)
        : new ParameterException(command.commandLine(), message, cause);
  }

  /** {@link #overrides()} as a map of strings. */
  public Map<String, String> overridesAsMap() {
    Map<String, String> out = new LinkedHashMap<>();
    overrides().forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    return out;
  }
}
