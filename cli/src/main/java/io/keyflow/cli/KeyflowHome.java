package io.keyflow.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where the Keyflow build lives: the repository root {@code bin/keyflow} passes as {@code
 * -Dkeyflow.home}, or else the root above the CLI's classes.
 */
public final class KeyflowHome {
  private KeyflowHome() {}

  public static Path root() {
    String home = System.getProperty("keyflow.home");
    if (home != null) {
      return Path.of(home).toAbsolutePath().normalize();
    }
    try {
      Path classes =
          Path.of(KeyflowHome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // cli/target/classes (or cli/target/keyflow-cli.jar) -> the repository root
      return classes.getParent().getParent().getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the Keyflow build; set -Dkeyflow.home", e);
    }
  }

  /** The shaded job jar ({@code job/target/keyflow-job-<version>.jar}). */
  public static Path jobJar() {
    Path target = root().resolve("job").resolve("target");
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(p -> p.getFileName().toString().matches("keyflow-job-.*\\.jar"))
          .findFirst()
          .orElseThrow(() -> missing("the job jar in " + target));
    } catch (IOException e) {
      throw missing("the job jar in " + target);
    }
  }

  /** The classpath of a standalone Flink JobManager or TaskManager. */
  public static String flinkClasspath() {
    Path file = root().resolve("cluster").resolve("target").resolve("classpath.txt");
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw missing("the Flink cluster classpath " + file);
    }
  }

  private static IllegalStateException missing(String what) {
    return new IllegalStateException(
        "cannot find "
            + what
            + "; build it with: mvn -B install -DskipTests -pl cli,job,cluster -am"
            + " (bin/keyflow does this on first use)");
  }
}
