package io.keyflow.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterLibTest {
  @TempDir Path dir;

  @Test
  void theJobJarIsCopiedOntoTheClasspathAndAClearedLibAddsNothing() throws Exception {
    Path jar = Files.writeString(dir.resolve("keyflow-job-1.jar"), "classes");
    ClusterLib lib = new ClusterLib(dir.resolve("cluster"));

    lib.addJobJar(jar);
    Files.writeString(jar, "rebuilt");

    Path copy = dir.resolve("cluster/lib").resolve(ClusterLib.JOB_JAR);
    assertThat(lib.classpath()).containsExactly(copy.toString());
    assertThat(copy).hasContent("classes");
    lib.clear();
    assertThat(lib.classpath()).isEmpty();
    assertThat(lib.jvmOptions()).isEmpty();
  }

  @Test
  void rocksDbsLibraryIsUnpackedOnceAndPutFirstOnTheLibraryPath() throws Exception {
    Optional<String> name = ClusterLib.rocksDbLibraryName();
    assumeThat(name).as("a platform RocksDB's jar has a library for").isPresent();
    Path jar = dir.resolve("frocksdbjni-test.jar");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new ZipEntry(name.get()));
      out.write(new byte[] {1, 2, 3});
      out.closeEntry();
    }
    ClusterLib lib = new ClusterLib(dir.resolve("cluster"));

    assertThat(lib.addRocksDbLibrary("other.jar" + File.pathSeparator + jar)).isTrue();

    Path nativeDir = dir.resolve("cluster/lib/native");
    assertThat(nativeDir.resolve(name.get())).hasBinaryContent(new byte[] {1, 2, 3});
    assertThat(lib.jvmOptions())
        .singleElement()
        .asString()
        .startsWith("-Djava.library.path=" + nativeDir + File.pathSeparator);
  }

  @Test
  void withoutRocksDbsJarNothingIsUnpackedAndTheLibraryPathStaysTheJvmsOwn() throws Exception {
    ClusterLib lib = new ClusterLib(dir.resolve("cluster"));

    assertThat(lib.addRocksDbLibrary("a.jar" + File.pathSeparator + "b.jar")).isFalse();
    assertThat(lib.jvmOptions()).isEmpty();
  }

  @Test
  void rocksDbsJarOnTheClasspathHoldsTheLibraryUnderTheNameLookedFor() throws Exception {
    Optional<String> name = ClusterLib.rocksDbLibraryName();
    List<String> jars =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> e.contains("rocksdbjni") && e.endsWith(".jar"))
            .toList();
    assumeThat(name).isPresent();
    assumeThat(jars).as("RocksDB's jar on the test classpath").isNotEmpty();
    try (ZipFile jar = new ZipFile(jars.get(0))) {
      assertThat(jar.getEntry(name.get())).as(name.get() + " in " + jars.get(0)).isNotNull();
    }
  }
}
