package io.keyflow.cli.migrate;

import io.keyflow.cli.JvmFlags;
import io.keyflow.cli.KeyflowHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the StateFun savepoint reader ({@code statefun-reader}) in a JVM of its own: it needs Flink
 * 1.16 and StateFun 3.3 on its classpath, which must never meet Keyflow's Flink 2.2. The child
 * writes bootstrap lines and a report to files and its progress to this process's stderr.
 */
final class StatefunReader {
  static final String MAIN = "io.keyflow.statefun.reader.StatefunReaderMain";

  private StatefunReader() {}

  /** The classpath of the reader: its classes, then its dependencies. */
  static String classpath(Path root) {
    Path target = root.resolve("statefun-reader").resolve("target");
    Path classes = target.resolve("classes");
    Path file = target.resolve("classpath.txt");
    if (!Files.isDirectory(classes) || !Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "cannot find the StateFun savepoint reader in "
              + target
              + "; build it with: mvn -B package -DskipTests -pl statefun-reader"
              + " (bin/keyflow does this on the first keyflow migrate)");
    }
    try {
      return classes + java.io.File.pathSeparator + Files.readString(file).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads {@code savepoint} into {@code lines} and {@code report}; returns when the child ends.
   *
   * @param heap the child's maximum heap, such as {@code 512m}
   * @throws IllegalStateException if the child fails (its message is on stderr already)
   */
  static void read(
      String savepoint, Path lines, Path report, String heap, Path tmpDir, long timeoutMinutes)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.addAll(JvmFlags.inherited());
    command.add("-cp");
    command.add(classpath(KeyflowHome.root()));
    command.add(MAIN);
    command.addAll(
        List.of(
            "--savepoint", savepoint, "--lines", lines.toString(), "--report", report.toString()));
    if (tmpDir != null) {
      command.addAll(List.of("--tmp-dir", tmpDir.toString()));
    }
    Process child =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      if (!child.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
        throw new IllegalStateException(
            "the StateFun savepoint reader did not finish within "
                + timeoutMinutes
                + " min; give it more with --timeout-minutes");
      }
    } finally {
      if (child.isAlive()) {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
    }
    if (child.exitValue() != 0) {
      throw new IllegalStateException(
          "the StateFun savepoint reader failed (exit code " + child.exitValue() + ", see above)");
    }
  }
}
