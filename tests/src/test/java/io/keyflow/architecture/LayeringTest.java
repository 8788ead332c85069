package io.keyflow.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies run one way, checked on the main sources of every module: the runtime never reaches
 * into the Kafka and gateway bindings or the CLI; HTTP belongs to {@code remote} (and Netty, its
 * client, to nothing else in any module), YAML to {@code module}; schedules are lent what they need
 * by the dispatcher and never reach into it, and only they use the cron library; the feedback loop
 * never reaches into the dispatcher, which hosts the loop's log through one class of it; the
 * metrics building blocks depend on no other Keyflow package; the bindings never reach into the
 * CLI; the offline state tools build on the runtime alone and are the only code that uses Flink's
 * State Processor API; control requests (inspect, pause, skip ...) are made only by the gateway and
 * carried out only by the dispatcher, and the CLI's address commands reach them over HTTP alone;
 * OpenTelemetry belongs to {@code tracing}, which knows only the records it traces; the functions
 * use only the StateFun SDK; the test kit stays apart from the CLI and the examples, and its unit
 * level from Flink and Kafka; the StateFun savepoint reader (Flink 1.16) uses no Keyflow code and
 * is on no module's classpath. A rule broken names the file and what it referenced.
 */
class LayeringTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** A source file of some module, with its package. */
  private record Source(String name, String pkg, String code) {}

  @Test
  void theRuntimeNeverReachesIntoBindingsCliOrFunctions() {
    assertNoneReference(
        sources("runtime"),
        "io.keyflow.cli.",
        "io.keyflow.io.kafka.",
        "io.keyflow.io.gateway.",
        "io.keyflow.functions.",
        "io.keyflow.examples.",
        "io.keyflow.savepoint.",
        "org.apache.kafka.",
        "io.undertow.");
  }

  @Test
  void theStateToolsBuildOnTheRuntimeAlone() {
    assertNoneReference(
        sources("state-tools"),
        "io.keyflow.cli.",
        "io.keyflow.io.",
        "io.keyflow.functions.",
        "io.keyflow.examples.",
        "io.keyflow.remote.",
        "org.apache.kafka.",
        "org.snakeyaml.",
        "io.undertow.");
  }

  @Test
  void onlyTheStateToolsUseTheStateProcessorApi() {
    for (String module : List.of("runtime", "ingress-egress", "cli")) {
      assertNoneReference(sources(module), "org.apache.flink.state.api.");
    }
  }

  @Test
  void onlyRemoteSpeaksHttpInTheRuntime() {
    assertNoneReference(
        sources("runtime").stream().filter(s -> !inPackage(s, "io.keyflow.remote")).toList(),
        "java.net.http.",
        "io.keyflow.remote.http.",
        "io.netty.",
        "javax.net.ssl.");
  }

  @Test
  void onlyRemoteUsesNettyAndTheRuntimeHasOneHttpClient() {
    List<Source> all = new ArrayList<>();
    for (String module : List.of("runtime", "ingress-egress", "functions", "cli")) {
      all.addAll(sources(module));
    }
    assertNoneReference(
        all.stream().filter(s -> !inPackage(s, "io.keyflow.remote")).toList(), "io.netty.");
    assertNoneReference(sources("runtime"), "java.net.http.");
  }

  @Test
  void onlyModuleReadsYamlInTheRuntime() {
    assertNoneReference(
        sources("runtime").stream().filter(s -> !inPackage(s, "io.keyflow.module")).toList(),
        "org.snakeyaml.");
  }

  @Test
  void theSchedulesNeverReachIntoTheDispatcherAndAloneUseTheCronLibrary() {
    assertNoneReference(
        sources("runtime").stream().filter(s -> inPackage(s, "io.keyflow.schedule")).toList(),
        "io.keyflow.dispatch.",
        "io.keyflow.remote.",
        "io.keyflow.feedback.",
        "io.keyflow.job.",
        "io.keyflow.delay.");
    List<Source> others = new ArrayList<>();
    for (String module : List.of("runtime", "ingress-egress", "functions", "cli", "state-tools")) {
      others.addAll(
          sources(module).stream().filter(s -> !inPackage(s, "io.keyflow.schedule")).toList());
    }
    assertNoneReference(others, "com.cronutils.");
  }

  @Test
  void theFeedbackLoopNeverReachesIntoTheDispatcherWhichHostsItsLogThroughOneClass() {
    assertNoneReference(
        sources("runtime").stream().filter(s -> inPackage(s, "io.keyflow.feedback")).toList(),
        "io.keyflow.dispatch.",
        "io.keyflow.job.",
        "io.keyflow.remote.");
    Pattern feedback = Pattern.compile("io\\.keyflow\\.feedback\\.(\\w+)");
    List<String> found = new ArrayList<>();
    for (Source source :
        sources("runtime").stream().filter(s -> inPackage(s, "io.keyflow.dispatch")).toList()) {
      var reference = feedback.matcher(source.code());
      while (reference.find()) {
        if (!reference.group(1).equals("FeedbackLogHost")) {
          found.add(source.name() + " references io.keyflow.feedback." + reference.group(1));
        }
      }
    }
    assertThat(found).isEmpty();
  }

  @Test
  void metricsBuildingBlocksDependOnNoOtherKeyflowPackage() {
    assertNoneReference(
        sources("runtime").stream().filter(s -> inPackage(s, "io.keyflow.metrics")).toList(),
        "io.keyflow.module.",
        "io.keyflow.dispatch.",
        "io.keyflow.remote.",
        "io.keyflow.feedback.",
        "io.keyflow.job.",
        "io.keyflow.protocol.");
  }

  @Test
  void controlRequestsAreMadeOnlyByTheGatewayAndCarriedOutOnlyByTheDispatcher() {
    assertNoneReference(
        sources("runtime").stream()
            .filter(
                s -> !inPackage(s, "io.keyflow.dispatch") && !inPackage(s, "io.keyflow.protocol"))
            .toList(),
        "io.keyflow.protocol.control.");
    assertNoneReference(
        sources("ingress-egress").stream()
            .filter(s -> !inPackage(s, "io.keyflow.io.gateway"))
            .toList(),
        "io.keyflow.protocol.control.");
    assertNoneReference(sources("cli"), "io.keyflow.protocol.control.");
  }

  @Test
  void theAddressCommandsTalkToTheGatewayOverHttpOnly() {
    assertNoneReference(
        sources("cli").stream().filter(s -> inPackage(s, "io.keyflow.cli.address")).toList(),
        "io.keyflow.dispatch.",
        "io.keyflow.io.",
        "io.keyflow.protocol.",
        "org.apache.flink.",
        "org.apache.kafka.");
  }

  @Test
  void onlyTracingUsesOpenTelemetry() {
    List<Source> all = new ArrayList<>();
    for (String module : List.of("runtime", "ingress-egress", "functions", "cli", "testkit")) {
      all.addAll(sources(module));
    }
    assertNoneReference(
        all.stream().filter(s -> !inPackage(s, "io.keyflow.tracing")).toList(),
        "io.opentelemetry.");
  }

  @Test
  void tracingKnowsOnlyTheRecordsItTraces() {
    assertNoneReference(
        sources("runtime").stream().filter(s -> inPackage(s, "io.keyflow.tracing")).toList(),
        "io.keyflow.dispatch.",
        "io.keyflow.remote.",
        "io.keyflow.feedback.",
        "io.keyflow.job.",
        "io.keyflow.module.",
        "io.keyflow.delay.",
        "io.keyflow.io.");
  }

  @Test
  void theBindingsNeverReachIntoTheCliOrFunctions() {
    assertNoneReference(
        sources("ingress-egress"),
        "io.keyflow.cli.",
        "io.keyflow.functions.",
        "io.keyflow.examples.");
  }

  @Test
  void theFunctionsUseOnlyTheSdk() {
    List<String> keyflowPackages =
        List.of(
            "io.keyflow.cli.",
            "io.keyflow.io.",
            "io.keyflow.module.",
            "io.keyflow.dispatch.",
            "io.keyflow.remote.",
            "io.keyflow.job.",
            "io.keyflow.protocol.",
            "org.apache.flink.streaming.",
            "org.apache.flink.runtime.");
    assertNoneReference(sources("functions"), keyflowPackages.toArray(String[]::new));
  }

  @Test
  void theTestKitNeverReachesIntoTheCliTheExamplesOrTheProjectsOwnTests() {
    assertNoneReference(
        sources("testkit"),
        "io.keyflow.cli.",
        "io.keyflow.functions.",
        "io.keyflow.examples.",
        "io.keyflow.testing.");
  }

  @Test
  void theTestKitsUnitLevelNeedsNeitherFlinkNorKafka() {
    assertNoneReference(
        sources("testkit").stream().filter(s -> inPackage(s, "io.keyflow.testkit.unit")).toList(),
        "org.apache.flink.streaming.",
        "org.apache.flink.runtime.",
        "org.apache.flink.api.",
        "org.apache.kafka.",
        "io.keyflow.job.",
        "io.keyflow.dispatch.",
        "io.keyflow.testkit.junit.",
        "io.keyflow.testkit.kafka.");
  }

  @Test
  void theStatefunReaderUsesNoKeyflowCode() {
    assertNoneReference(
        sources("statefun-reader"),
        "io.keyflow.cli.",
        "io.keyflow.savepoint.",
        "io.keyflow.state.",
        "io.keyflow.module.",
        "io.keyflow.dispatch.",
        "io.keyflow.delay.",
        "io.keyflow.protocol.",
        "io.keyflow.job.",
        "io.keyflow.io.");
  }

  @Test
  void noModuleHasTheStatefunReaderOnItsClasspath() throws IOException {
    // Its Flink 1.16 and StateFun jars share coordinates with Flink 2.2's: on Keyflow's classpath
    // they would replace them. The CLI starts it as a separate JVM. A module may name it only to
    // be built after it: as a pom, with every dependency of it excluded.
    try (Stream<Path> poms = Files.walk(ROOT, 2)) {
      List<String> dependents =
          poms.filter(p -> p.getFileName().toString().equals("pom.xml"))
              .filter(p -> !p.getParent().equals(ROOT))
              .filter(p -> !p.getParent().getFileName().toString().equals("statefun-reader"))
              .filter(p -> readerOnClasspath(readString(p)))
              .map(p -> ROOT.relativize(p).toString())
              .toList();
      assertThat(dependents).isEmpty();
    }
    for (String module : List.of("runtime", "ingress-egress", "state-tools", "cli", "testkit")) {
      assertNoneReference(
          sources(module), "import io.keyflow.statefun.", "org.apache.flink.statefun.flink.");
    }
  }

  @Test
  void theReaderAsABuildOrderPomIsAllowedAndAsAJarIsNot() {
    String asPom =
        "<dependency><groupId>io.keyflow</groupId>"
            + "<artifactId>keyflow-statefun-reader</artifactId><type>pom</type>"
            + "<exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId>"
            + "</exclusion></exclusions></dependency>";
    assertThat(readerOnClasspath("<dependencies>" + asPom + "</dependencies>")).isFalse();
    assertThat(readerOnClasspath(asPom.replace("<type>pom</type>", ""))).isTrue();
    assertThat(readerOnClasspath(asPom.replaceAll("<exclusions>.*</exclusions>", ""))).isTrue();
  }

  /** Whether a pom's dependencies bring the reader's jar or its dependencies to a classpath. */
  private static boolean readerOnClasspath(String pom) {
    var dependency = Pattern.compile("(?s)<dependency>(.*?)</dependency>").matcher(pom);
    while (dependency.find()) {
      String declared = dependency.group(1).replaceAll("\\s", "");
      if (declared.contains("<artifactId>keyflow-statefun-reader</artifactId>")
          && !(declared.contains("<type>pom</type>")
              && declared.contains(
                  "<exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion>"))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aBrokenRuleIsReportedWithTheFileAndTheReference() {
    Source offender =
        new Source(
            "Offender.java",
            "io.keyflow.dispatch",
            "package io.keyflow.dispatch;\nimport io.keyflow.cli.Keyflow;\nclass Offender {}\n");

    assertThat(violations(List.of(offender), "io.keyflow.cli."))
        .containsExactly("Offender.java references io.keyflow.cli.");
  }

  private static void assertNoneReference(List<Source> sources, String... forbidden) {
    assertThat(sources).as("sources found").isNotEmpty();
    assertThat(violations(sources, forbidden)).isEmpty();
  }

  private static List<String> violations(List<Source> sources, String... forbidden) {
    List<String> found = new ArrayList<>();
    for (Source source : sources) {
      for (String prefix : forbidden) {
        if (Pattern.compile("(?<![\\w.])" + Pattern.quote(prefix)).matcher(source.code()).find()) {
          found.add(source.name() + " references " + prefix);
        }
      }
    }
    return found;
  }

  private static boolean inPackage(Source source, String pkg) {
    return source.pkg().equals(pkg) || source.pkg().startsWith(pkg + ".");
  }

  /** The main Java sources of {@code module}, comments left out. */
  private static List<Source> sources(String module) {
    Path root = ROOT.resolve(module).resolve("src/main/java");
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java")).map(LayeringTest::read).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Source read(Path file) {
    try {
      String text = Files.readString(file);
      String code = text.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)//.*$", "");
      var pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(code);
      return new Source(
          ROOT.relativize(file.toAbsolutePath()).toString(), pkg.find() ? pkg.group(1) : "", code);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
