package io.keyflow.warmup;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Loads and links, without initialising, every class of the given packages found on the class path:
 * the classes a TaskManager otherwise loads while a task waits (reading each class from its jar,
 * parsing and verifying it). No class's static initialiser runs, so nothing of a class's own
 * behaviour happens early. Linking goes through reflection ({@link Class#getDeclaredConstructors},
 * which links the class in HotSpot); a class that cannot be loaded or linked here (an optional
 * dependency missing) is counted and skipped, as the task would not use it either.
 *
 * <p>It stops early when the JVM's metaspace is three quarters full, so that classes no task uses
 * never crowd out the ones it does.
 */
final class ClassPreloader implements WarmUpStep {
  /**
   * Packages (as resource paths, with their subpackages) whose classes a TaskManager loads when it
   * first runs Keyflow's tasks: Keyflow's runtime, the function client (Netty, relocated), the
   * function protocol (protobuf), the Kafka client and connector, and Flink's task, network (with
   * its Netty), checkpoint, serializer and state classes with RocksDB's.
   */
  static final List<String> TASK_PACKAGES =
      List.of(
          "io/keyflow/",
          "com/google/protobuf/",
          "org/apache/kafka/clients/",
          "org/apache/kafka/common/",
          "org/apache/flink/connector/kafka/",
          "org/apache/flink/connector/base/",
          "org/apache/flink/streaming/runtime/",
          "org/apache/flink/streaming/api/operators/",
          "org/apache/flink/streaming/api/graph/",
          "org/apache/flink/runtime/taskmanager/",
          "org/apache/flink/runtime/execution/",
          "org/apache/flink/runtime/jobgraph/tasks/",
          "org/apache/flink/runtime/blob/",
          "org/apache/flink/runtime/io/",
          "org/apache/flink/runtime/checkpoint/",
          "org/apache/flink/runtime/state/",
          "org/apache/flink/runtime/asyncprocessing/",
          "org/apache/flink/runtime/source/",
          "org/apache/flink/runtime/operators/coordination/",
          "org/apache/flink/runtime/metrics/groups/",
          "org/apache/flink/shaded/netty4/io/netty/bootstrap/",
          "org/apache/flink/shaded/netty4/io/netty/buffer/",
          "org/apache/flink/shaded/netty4/io/netty/channel/",
          "org/apache/flink/state/rocksdb/",
          "org/apache/flink/contrib/streaming/state/",
          "org/rocksdb/",
          "org/apache/flink/core/",
          "org/apache/flink/api/common/typeutils/",
          "org/apache/flink/api/common/state/",
          "org/apache/flink/api/common/serialization/",
          "org/apache/flink/api/java/typeutils/runtime/",
          "org/apache/flink/api/connector/source/",
          "org/apache/flink/api/connector/sink2/");

  /** Parts of those packages that Keyflow's tasks do not use by default. */
  static final List<String> SKIPPED =
      List.of(
          "io/keyflow/warmup/",
          // Tracing is off unless configured; TLS to functions and brokers likewise.
          "io/keyflow/shaded/io/opentelemetry/",
          "io/keyflow/shaded/io/netty/handler/ssl/",
          "io/keyflow/shaded/io/netty/handler/codec/compression/",
          "io/keyflow/shaded/io/netty/handler/codec/spdy/",
          "io/keyflow/shaded/io/netty/handler/codec/rtsp/",
          "io/keyflow/shaded/io/netty/handler/codec/serialization/",
          "org/apache/kafka/common/security/oauthbearer/",
          "org/apache/kafka/common/security/scram/",
          "org/apache/kafka/common/security/kerberos/",
          // Transports Flink's network stack does not use on Linux.
          "org/apache/flink/shaded/netty4/io/netty/channel/kqueue/",
          "org/apache/flink/shaded/netty4/io/netty/channel/sctp/",
          "org/apache/flink/shaded/netty4/io/netty/channel/udt/");

  private static final double METASPACE_LIMIT = 0.75;
  private static final int METASPACE_CHECK_EVERY = 256;

  private final List<String> packages;
  private final ClassLoader loader;

  ClassPreloader(List<String> packages) {
    this(packages, ClassPreloader.class.getClassLoader());
  }

  ClassPreloader(List<String> packages, ClassLoader loader) {
    this.packages = List.copyOf(packages);
    this.loader = loader;
  }

  @Override
  public String name() {
    return "classes";
  }

  @Override
  public String run() {
    ClassLoadingMXBean jvm = ManagementFactory.getClassLoadingMXBean();
    int jvmBefore = jvm.getLoadedClassCount();
    Counts counts = new Counts();
    int unreadable = 0;
    for (Path source : classPath()) {
      if (counts.stoppedBy != null) {
        break;
      }
      try {
        forEachClassIn(source, counts::add);
        counts.sources++;
      } catch (IOException | UncheckedIOException e) {
        unreadable++;
      }
    }
    return counts.loaded
        + " classes loaded and linked from "
        + counts.sources
        + " jars and directories"
        + (unreadable == 0 ? "" : " (" + unreadable + " unreadable)")
        + ", "
        + counts.failed
        + " not loadable; the JVM's loaded classes went from "
        + jvmBefore
        + " to "
        + jvm.getLoadedClassCount()
        + (counts.stoppedBy == null ? "" : ", stopped early: " + counts.stoppedBy);
  }

  /** The class names visited and what became of them. */
  private final class Counts {
    int loaded;
    int failed;
    int sources;
    String stoppedBy;

    void add(String resource) {
      if (stoppedBy != null || !wanted(resource)) {
        return;
      }
      String name = resource.substring(0, resource.length() - ".class".length()).replace('/', '.');
      try {
        Class.forName(name, false, loader).getDeclaredConstructors();
        loaded++;
      } catch (ClassNotFoundException | LinkageError | SecurityException e) {
        failed++;
      }
      if ((loaded + failed) % METASPACE_CHECK_EVERY == 0) {
        stoppedBy = metaspaceFull();
      }
    }
  }

  boolean wanted(String resource) {
    if (!resource.endsWith(".class")
        || resource.endsWith("module-info.class")
        || resource.endsWith("package-info.class")) {
      return false;
    }
    return packages.stream().anyMatch(resource::startsWith)
        && SKIPPED.stream().noneMatch(resource::startsWith);
  }

  /**
   * The jars and directories of the class path, with those a jar's manifest adds ({@code
   * Class-Path}), and the jar of this class (a {@code -javaagent} jar is searched by the system
   * class loader without being named in {@code java.class.path}).
   */
  static List<Path> classPath() {
    Set<Path> sources = new LinkedHashSet<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        addWithManifestClassPath(Path.of(entry).toAbsolutePath().normalize(), sources);
      }
    }
    try {
      var codeSource = ClassPreloader.class.getProtectionDomain().getCodeSource();
      if (codeSource != null) {
        addWithManifestClassPath(
            Path.of(codeSource.getLocation().toURI()).toAbsolutePath().normalize(), sources);
      }
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      // Only the class path then.
    }
    return new ArrayList<>(sources);
  }

  private static void addWithManifestClassPath(Path source, Set<Path> sources) {
    if (!Files.exists(source) || !sources.add(source) || Files.isDirectory(source)) {
      return;
    }
    try (JarFile jar = new JarFile(source.toFile())) {
      Manifest manifest = jar.getManifest();
      String classPath =
          manifest == null
              ? null
              : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (classPath == null) {
        return;
      }
      URI base = source.toUri();
      for (String relative : classPath.trim().split("\\s+")) {
        try {
          addWithManifestClassPath(Path.of(base.resolve(relative)), sources);
        } catch (IllegalArgumentException e) {
          // Not a file: nothing to scan.
        }
      }
    } catch (IOException e) {
      // Not a readable jar: nothing to scan.
    }
  }

  private static void forEachClassIn(Path source, Consumer<String> resource) throws IOException {
    if (Files.isDirectory(source)) {
      try (Stream<Path> files = Files.walk(source)) {
        files
            .filter(Files::isRegularFile)
            .forEach(f -> resource.accept(source.relativize(f).toString().replace('\\', '/')));
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      return;
    }
    if (!source.toString().endsWith(".jar")) {
      return;
    }
    try (JarFile jar = new JarFile(source.toFile())) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        resource.accept(entries.nextElement().getName());
      }
    }
  }

  /** Why to stop, when the metaspace is fuller than the limit; null otherwise. */
  private static String metaspaceFull() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getName().equals("Metaspace")) {
        MemoryUsage usage = pool.getUsage();
        if (usage.getMax() > 0 && usage.getUsed() > usage.getMax() * METASPACE_LIMIT) {
          return "metaspace "
              + usage.getUsed() / (1 << 20)
              + " of "
              + usage.getMax() / (1 << 20)
              + " MB used";
        }
      }
    }
    return null;
  }
}
