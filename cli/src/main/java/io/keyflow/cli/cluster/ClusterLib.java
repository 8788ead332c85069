package io.keyflow.cli.cluster;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What a local cluster's processes find in place before any job runs, so that a TaskManager that
 * takes over a lost one's tasks spends no time on it (the cluster's {@code lib/} directory):
 *
 * <ul>
 *   <li>a copy of the job jar, on the classpath of every process; with {@code
 *       classloader.resolve-order: parent-first} the job's classes come from it (the system class
 *       loader, shared by every job and restart on the process) and not from a per-job copy of the
 *       uploaded jar;
 *   <li>RocksDB's native library, taken out of its jar once, where the JVM's library path finds it:
 *       RocksDB's loader tries {@code System.loadLibrary} before it unpacks the 14 MB library from
 *       its jar into a new temporary directory, which it otherwise does on each process's first
 *       restore.
 * </ul>
 *
 * The choice is kept as files, so that {@code cluster add-taskmanager} starts its TaskManager the
 * same way as {@code cluster start} did.
 */
final class ClusterLib {
  static final String JOB_JAR = "keyflow-job.jar";
  private static final String NATIVE = "native";

  private final Path lib;

  ClusterLib(Path clusterDir) {
    this.lib = clusterDir.resolve("lib");
  }

  /** Starts empty: nothing of an earlier cluster from the same directory stays. */
  void clear() throws IOException {
    if (Files.exists(lib)) {
      try (Stream<Path> paths = Files.walk(lib)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** Copies the job jar: later builds of it do not change what a running cluster loads. */
  void addJobJar(Path jobJar) throws IOException {
    Files.createDirectories(lib);
    Files.copy(jobJar, lib.resolve(JOB_JAR), StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Takes RocksDB's native library for this platform out of the jar on {@code classpath} that holds
   * it; does nothing where there is none (RocksDB then unpacks it itself, as before).
   *
   * @return whether the library is in place
   */
  boolean addRocksDbLibrary(String classpath) throws IOException {
    Optional<String> name = rocksDbLibraryName();
    if (name.isEmpty()) {
      return false;
    }
    for (String entry : classpath.split(File.pathSeparator)) {
      if (!entry.contains("rocksdbjni") || !entry.endsWith(".jar")) {
        continue;
      }
      try (ZipFile jar = new ZipFile(entry)) {
        ZipEntry library = jar.getEntry(name.get());
        if (library != null) {
          Path dir = Files.createDirectories(lib.resolve(NATIVE));
          try (InputStream in = jar.getInputStream(library)) {
            Files.copy(in, dir.resolve(name.get()), StandardCopyOption.REPLACE_EXISTING);
          }
          return true;
        }
      }
    }
    return false;
  }

  /** The classpath entries to add after Flink's own. */
  List<String> classpath() {
    Path jar = lib.resolve(JOB_JAR);
    return Files.exists(jar) ? List.of(jar.toString()) : List.of();
  }

  boolean hasJobJar() {
    return Files.exists(lib.resolve(JOB_JAR));
  }

  /** JVM options for the processes: the library path with the unpacked native library first. */
  List<String> jvmOptions() {
    Path dir = lib.resolve(NATIVE);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> path = new ArrayList<>();
    path.add(dir.toString());
    // The JVM's default path stays behind it, for any other library loaded by name.
    String defaults = System.getProperty("java.library.path", "");
    if (!defaults.isBlank()) {
      path.add(defaults);
    }
    return List.of("-Djava.library.path=" + String.join(File.pathSeparator, path));
  }

  /**
   * The file name RocksDB's loader looks for by {@code System.loadLibrary} on this platform (its
   * {@code rocksdbjni-<platform>} name); empty where the jar's build would not fit (not Linux, or a
   * musl libc).
   */
  static Optional<String> rocksDbLibraryName() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("linux") || muslLibc()) {
      return Optional.empty();
    }
    String platform =
        switch (System.getProperty("os.arch", "")) {
          case "amd64", "x86_64" -> "linux64";
          case "aarch64" -> "linux-aarch64";
          case "ppc64le" -> "linux-ppc64le";
          default -> null;
        };
    return Optional.ofNullable(platform).map(p -> "librocksdbjni-" + p + ".so");
  }

  private static boolean muslLibc() {
    try (Stream<Path> files = Files.list(Path.of("/lib"))) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith("ld-musl"));
    } catch (IOException e) {
      return false;
    }
  }
}
