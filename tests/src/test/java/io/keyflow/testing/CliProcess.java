package io.keyflow.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/keyflow} run as a separate process, as a user runs it: its output lines collected, and
 * stopped with a real SIGINT. Never builds: the reactor built the CLI before the tests.
 */
public final class CliProcess implements AutoCloseable {
  public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private CliProcess(Process process) {
    this.process = process;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("(output closed: " + e.getMessage() + ")");
              }
            },
            "keyflow-cli-output");
    reader.setDaemon(true);
    reader.start();
  }

  public static CliProcess start(Path workingDir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(ROOT.resolve("bin/keyflow").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true);
    builder.environment().put("KEYFLOW_NO_BUILD", "1");
    builder.environment().put("KEYFLOW_JAVA_OPTS", "-Xmx768m");
    return new CliProcess(builder.start());
  }

  /** Runs a short command to completion and returns its output, failing on a non-zero status. */
  public static List<String> runToEnd(Path workingDir, Duration timeout, String... args)
      throws Exception {
    try (CliProcess cli = start(workingDir, args)) {
      if (!cli.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "keyflow "
                + String.join(" ", args)
                + " still running after "
                + timeout
                + ": "
                + cli.lines);
      }
      cli.reader.join(5_000);
      if (cli.process.exitValue() != 0) {
        throw new AssertionError(
            "keyflow "
                + String.join(" ", args)
                + " exited with "
                + cli.process.exitValue()
                + ": "
                + cli.lines);
      }
      return List.copyOf(cli.lines);
    }
  }

  /** Waits until a line contains {@code text}; fails early if the process ends first. */
  public void awaitLine(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (lines.stream().noneMatch(l -> l.contains(text))) {
      if (!process.isAlive()) {
        throw new AssertionError("keyflow exited with " + process.exitValue() + ": " + lines);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no line with '" + text + "' within " + timeout + ": " + lines);
      }
      Thread.sleep(100);
    }
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  public ProcessHandle handle() {
    return process.toHandle();
  }

  /** Sends SIGINT, as Ctrl-C in a terminal does. */
  public void interrupt() throws Exception {
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -INT " + process.pid() + " failed");
    }
  }

  /** Waits for the process to end; null if it did not within the timeout. */
  public Integer awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
