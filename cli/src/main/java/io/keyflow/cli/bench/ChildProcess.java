package io.keyflow.cli.bench;

import io.keyflow.cli.JvmFlags;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A JVM the benchmark starts with its own classpath, waits for, measures and stops. */
final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final String name;

  /**
   * The environment variable with extra JVM options for the child named {@code name}: {@code
   * KEYFLOW_BENCH_FUNCTIONS_JAVA_OPTS} for the function server, {@code
   * KEYFLOW_BENCH_BROKER_JAVA_OPTS} for the broker.
   */
  static String javaOptionsVariable(String name) {
    return "KEYFLOW_BENCH_"
        + name.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]+", "_")
        + "_JAVA_OPTS";
  }

  private ChildProcess(Process process, String name) {
    this.process = process;
    this.name = name;
  }

  /**
   * Starts {@code mainClass} and waits until it prints a line containing "ready". JVM options for a
   * profile of the child (such as JFR's) come from the environment variable {@link
   * #javaOptionsVariable}.
   */
  static ChildProcess start(String name, Path log, String mainClass, List<String> args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JvmFlags.inherited());
    command.add("-Xmx1g");
    String extra = System.getenv(javaOptionsVariable(name));
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    command.add("-Dlog4j2.configurationFile=keyflow-log4j2.properties");
    command.add("-Dkeyflow.log.file=" + log);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    ChildProcess child = new ChildProcess(process, name);
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (line.contains("ready")) {
                    ready.complete(true);
                  }
                }
              } catch (IOException e) {
                ready.completeExceptionally(e);
              }
              ready.complete(false);
            },
            name + "-output");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!ready.get(2, TimeUnit.MINUTES)) {
        throw new IOException(name + " exited before it was ready; see " + log);
      }
    } catch (Exception e) {
      child.close();
      throw new IOException("starting " + name + " failed: " + e.getMessage(), e);
    }
    return child;
  }

  long pid() {
    return process.pid();
  }

  String name() {
    return name;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
