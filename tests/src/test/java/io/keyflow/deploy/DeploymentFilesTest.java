package io.keyflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.examples.shop.ShopApp;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.io.gateway.GatewaySpec;
import io.keyflow.io.kafka.KafkaEgress;
import io.keyflow.io.kafka.KafkaIngress;
import io.keyflow.io.kafka.TopicRoute;
import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The files in {@code docker/}, checked without a Docker daemon: they parse, the files they copy
 * exist, and the names, ports, paths and classes they refer to agree with each other and with the
 * build.
 */
class DeploymentFilesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DOCKER = ROOT.resolve("docker");
  private static Map<String, Object> services;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parseCompose() throws IOException {
    Map<String, Object> compose = (Map<String, Object>) yaml(DOCKER.resolve("compose.yaml"));
    services = (Map<String, Object>) compose.get("services");
  }

  @Test
  void composeHasTheShopsServices() {
    assertThat(services)
        .containsKeys(
            "kafka",
            "topics",
            "functions",
            "jobmanager",
            "taskmanager",
            "gateway",
            "prometheus",
            "grafana");
  }

  @Test
  void everyBuildHasAContextAndADockerfileWhoseCopiedFilesExist() throws IOException {
    int builds = 0;
    for (Map.Entry<String, Object> service : services.entrySet()) {
      Object build = map(service.getValue()).get("build");
      if (build == null) {
        continue;
      }
      builds++;
      Path context = DOCKER.resolve((String) map(build).get("context")).normalize();
      Path dockerfile = context.resolve((String) map(build).get("dockerfile"));
      assertThat(dockerfile).as("Dockerfile of service %s", service.getKey()).isRegularFile();
      for (String source : copiedFromContext(dockerfile)) {
        assertThat(context.resolve(source))
            .as("%s copies %s", context.relativize(dockerfile), source)
            .exists();
      }
    }
    assertThat(builds).isEqualTo(3);
  }

  @Test
  void theJobImageRunsTheKeyflowJobWithTheModuleItCopies() throws Exception {
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile.job"));
    assertThat(dockerfile)
        .contains("/src/job/target/keyflow-job-*.jar /opt/flink/usrlib/keyflow-job.jar")
        .contains("COPY docker/module.yaml /opt/keyflow/module.yaml")
        .contains("-pl job");
    assertThat(Files.readString(ROOT.resolve("job/pom.xml")))
        .contains("<artifactId>keyflow-job</artifactId>");
    String command = (String) map(services.get("jobmanager")).get("command");
    assertThat(command).contains("--job-classname io.keyflow.job.KeyflowJob");
    assertThat(command).contains("--module /opt/keyflow/module.yaml");
    Class.forName("io.keyflow.job.KeyflowJob");
    assertThat(map(services.get("taskmanager")).get("image"))
        .isEqualTo(map(services.get("jobmanager")).get("image"));
  }

  @Test
  void theGatewayImageServesTheModuleItCopiesOnThePortComposePublishes() throws Exception {
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile.gateway"));
    assertThat(dockerfile)
        .contains("COPY docker/module.yaml /opt/keyflow/module.yaml")
        .contains("-pl cli")
        .contains(
            "\"io.keyflow.cli.Keyflow\", \"gateway\", \"--module\", \"/opt/keyflow/module.yaml\"");
    Class.forName("io.keyflow.cli.Keyflow");
    Module module = ModuleLoader.parse("docker/module.yaml", read("module.yaml"));
    GatewaySpec gateway = Gateway.declaredIn(module).orElseThrow();
    assertThat(gateway.listenHost()).isEqualTo("0.0.0.0");
    assertThat(dockerfile).contains("EXPOSE " + gateway.listenPort());
    assertThat(list(map(services.get("gateway")).get("ports")))
        .contains(gateway.listenPort() + ":" + gateway.listenPort());
  }

  @Test
  void theModulesAddressesAreComposeServicesAndTheirPorts() throws IOException {
    Module module = ModuleLoader.parse("docker/module.yaml", read("module.yaml"));

    for (HttpEndpoint endpoint : module.endpoints()) {
      URI url = URI.create(endpoint.urlPathTemplate().replace(HttpEndpoint.FUNCTION_NAME, "x"));
      Map<String, Object> functions = map(services.get(url.getHost()));
      assertThat(map(functions.get("environment")).get("PORT")).isEqualTo("" + url.getPort());
    }
    List<String> kafkaAddresses = new ArrayList<>();
    module.ingresses().stream()
        .filter(KafkaIngress.class::isInstance)
        .map(KafkaIngress.class::cast)
        .forEach(in -> kafkaAddresses.add(in.bootstrapServers()));
    module.egresses().stream()
        .filter(KafkaEgress.class::isInstance)
        .map(KafkaEgress.class::cast)
        .forEach(out -> kafkaAddresses.add(out.bootstrapServers()));
    kafkaAddresses.add(Gateway.declaredIn(module).orElseThrow().bootstrapServers());
    assertThat(kafkaAddresses).isNotEmpty();
    for (String address : kafkaAddresses) {
      String host = address.substring(0, address.indexOf(':'));
      String port = address.substring(address.indexOf(':') + 1);
      String advertised =
          (String)
              map(map(services.get(host)).get("environment")).get("KAFKA_ADVERTISED_LISTENERS");
      assertThat(advertised).contains("//" + address);
      assertThat(port).isNotBlank();
    }
  }

  @Test
  void theTopicsServiceCreatesEveryTopicTheShopUses() throws IOException {
    Module module = ModuleLoader.parse("docker/module.yaml", read("module.yaml"));
    String script = String.join("\n", list(map(services.get("topics")).get("command")));
    List<String> topics = new ArrayList<>(ShopApp.OUTPUT_TOPICS);
    module.ingresses().stream()
        .filter(KafkaIngress.class::isInstance)
        .map(KafkaIngress.class::cast)
        .flatMap(in -> in.topics().stream())
        .map(TopicRoute::topic)
        .forEach(topics::add);
    GatewaySpec gateway = Gateway.declaredIn(module).orElseThrow();
    topics.add(gateway.requestTopic());
    topics.add(gateway.replyTopic());
    Matcher loop = Pattern.compile("for topic in ([^;]+);").matcher(script);
    assertThat(loop.find()).isTrue();
    assertThat(List.of(loop.group(1).trim().split("\\s+")))
        .containsExactlyInAnyOrderElementsOf(topics);
  }

  @Test
  @SuppressWarnings("unchecked")
  void theFlinkDeploymentUsesTheSameJarEntryClassAndAModuleThatLoads() throws Exception {
    Load load = new Load(LoadSettings.builder().build());
    List<Map<String, Object>> documents = new ArrayList<>();
    for (Object document : load.loadAllFromString(read("kubernetes/flink-deployment.yaml"))) {
      documents.add((Map<String, Object>) document);
    }
    Map<String, Object> configMap = documents.get(0);
    Map<String, Object> deployment = documents.get(1);
    assertThat(configMap.get("kind")).isEqualTo("ConfigMap");
    assertThat(deployment.get("kind")).isEqualTo("FlinkDeployment");

    String moduleYaml = (String) map(configMap.get("data")).get("module.yaml");
    Module module = ModuleLoader.parse("kubernetes ConfigMap keyflow-module", moduleYaml);
    assertThat(module.endpoints()).isNotEmpty();

    Map<String, Object> spec = map(deployment.get("spec"));
    Map<String, Object> job = map(spec.get("job"));
    assertThat(job.get("jarURI")).isEqualTo("local:///opt/flink/usrlib/keyflow-job.jar");
    Class.forName((String) job.get("entryClass"));
    assertThat(list(job.get("args"))).containsExactly("--module", "/opt/keyflow/module.yaml");
    assertThat((String) spec.get("image")).startsWith("keyflow-job");
    String mounted = yamlText(spec.get("podTemplate"));
    assertThat(mounted).contains("mountPath=/opt/keyflow").contains("name=keyflow-module");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyShopModuleDeclaresTheTopicsTheShopWritesSoItsTransactionsArePooled() throws Exception {
    Map<String, Object> configMap =
        (Map<String, Object>)
            new Load(LoadSettings.builder().build())
                .loadAllFromString(read("kubernetes/flink-deployment.yaml"))
                .iterator()
                .next();
    Map<String, String> modules =
        Map.of(
            "module.yaml",
            Files.readString(ROOT.resolve("module.yaml")),
            "docker/module.yaml",
            read("module.yaml"),
            "kubernetes ConfigMap keyflow-module",
            (String) map(configMap.get("data")).get("module.yaml"));

    modules.forEach(
        (name, yaml) -> {
          List<KafkaEgress> egresses =
              ModuleLoader.parse(name, yaml).egresses().stream()
                  .filter(KafkaEgress.class::isInstance)
                  .map(KafkaEgress.class::cast)
                  .toList();
          assertThat(egresses).as(name).singleElement();
          assertThat(egresses.get(0).topics())
              .as(name)
              .containsExactlyInAnyOrderElementsOf(ShopApp.OUTPUT_TOPICS);
          assertThat(egresses.get(0).transactionNaming())
              .as(name)
              .isEqualTo(TransactionNamingStrategy.POOLING);
        });
  }

  /** Sources of COPY lines that copy from the build context (not from another stage). */
  private static List<String> copiedFromContext(Path dockerfile) throws IOException {
    List<String> sources = new ArrayList<>();
    for (String line : Files.readAllLines(dockerfile)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("COPY ") && !trimmed.contains("--from=")) {
        String[] parts = trimmed.substring(5).trim().split("\\s+");
        for (int i = 0; i < parts.length - 1; i++) {
          if (!parts[i].equals(".")) {
            sources.add(parts[i]);
          }
        }
      }
    }
    return sources;
  }

  private static String read(String file) throws IOException {
    return Files.readString(DOCKER.resolve(file));
  }

  private static Object yaml(Path file) throws IOException {
    return new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
  }

  private static String yamlText(Object value) {
    return String.valueOf(value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<String> list(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return (List<String>) value;
  }
}
