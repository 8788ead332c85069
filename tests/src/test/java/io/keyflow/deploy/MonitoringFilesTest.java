package io.keyflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The monitoring part of {@code docker/}, checked without a Docker daemon: Prometheus scrapes the
 * port {@code flink-conf/config.yaml} gives Flink's reporter, Grafana's provisioning points at
 * files that exist, and every query of the Keyflow dashboard names a metric that {@code
 * docs/metrics.md} documents.
 */
class MonitoringFilesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DOCKER = ROOT.resolve("docker");
  private static final String PER_FUNCTION = "flink_taskmanager_job_task_operator_functions_";
  private static final String OPERATOR = "flink_taskmanager_job_task_operator_";

  /** {@code __name__=~"<per-function prefix>.+_<metric>"}: a per-function metric by its name. */
  private static final Pattern PER_FUNCTION_SELECTOR =
      Pattern.compile("__name__=~\"" + Pattern.quote(PER_FUNCTION) + "\\.\\+_(\\w+)\"");

  private static final Pattern METRIC_NAME = Pattern.compile("\\bflink_\\w+");
  private static Map<String, Object> services;
  private static String metricsDoc;

  @BeforeAll
  static void read() throws IOException {
    services = map(yaml(DOCKER.resolve("compose.yaml")).get("services"));
    metricsDoc = Files.readString(ROOT.resolve("docs/metrics.md"));
  }

  @Test
  void composeRunsPrometheusAndGrafana() {
    assertThat(services).containsKeys("prometheus", "grafana");
  }

  @Test
  void prometheusScrapesTheJobManagerAndEveryTaskManagerOnTheReportersFirstPort()
      throws IOException {
    String range = flinkConfig().get("metrics.reporter.prom.port");
    assertThat(range).as("metrics.reporter.prom.port in flink-conf/config.yaml").isNotNull();
    int port = Integer.parseInt(range.split("-")[0].trim());
    assertThat(mountedFiles("prometheus"))
        .containsEntry("./prometheus.yml", "/etc/prometheus/prometheus.yml");

    Map<String, Object> prometheus = yaml(DOCKER.resolve("prometheus.yml"));
    List<String> staticTargets = new ArrayList<>();
    List<String> resolvedServices = new ArrayList<>();
    for (Object job : list(prometheus.get("scrape_configs"))) {
      Map<String, Object> scrape = map(job);
      for (Object config : list(scrape.getOrDefault("static_configs", List.of()))) {
        for (Object target : list(map(config).get("targets"))) {
          staticTargets.add((String) target);
        }
      }
      for (Object config : list(scrape.getOrDefault("dns_sd_configs", List.of()))) {
        assertThat(map(config).get("port")).isEqualTo(port);
        for (Object name : list(map(config).get("names"))) {
          resolvedServices.add((String) name);
        }
      }
    }
    assertThat(staticTargets).containsExactly("jobmanager:" + port);
    assertThat(resolvedServices).containsExactly("taskmanager");
    assertThat(services).containsKeys("jobmanager", "taskmanager");
  }

  @Test
  void grafanaProvisionsThePrometheusSourceAndTheDashboardFromFilesThatExist() throws IOException {
    Map<String, String> mounts = mountedFiles("grafana");
    assertThat(mounts)
        .containsEntry("./grafana/provisioning", "/etc/grafana/provisioning")
        .containsEntry("./grafana/dashboards", "/var/lib/grafana/dashboards");
    for (String source : mounts.keySet()) {
      assertThat(DOCKER.resolve(source)).as("mounted into grafana").exists();
    }
    Map<String, Object> source =
        map(
            list(yaml(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yaml"))
                    .get("datasources"))
                .get(0));
    assertThat(source.get("url")).isEqualTo("http://prometheus:9090");
    assertThat(list(map(services.get("prometheus")).get("ports"))).contains("9090:9090");
    Map<String, Object> provider =
        map(
            list(yaml(DOCKER.resolve("grafana/provisioning/dashboards/keyflow.yaml"))
                    .get("providers"))
                .get(0));
    assertThat(map(provider.get("options")).get("path")).isEqualTo("/var/lib/grafana/dashboards");
    for (JsonNode panel : dashboard().path("panels")) {
      assertThat(panel.path("datasource").path("uid").asText())
          .as("data source of panel %s", panel.path("title").asText())
          .isEqualTo(source.get("uid"));
    }
  }

  @Test
  void theDashboardShowsWhatAnOperatorNeedsFirst() throws IOException {
    String queries = String.join("\n", queries(dashboard()));
    for (String metric :
        List.of(
            "inRate",
            "outLocalRate",
            "outRemoteRate",
            "outEgressRate",
            "remoteInvocationLatency",
            "remoteInvocationFailuresRate",
            "numBacklog",
            "keyflowDeadLettersRate",
            "flink_jobmanager_job_lastCheckpointDuration",
            "flink_taskmanager_job_task_operator_pendingRecords")) {
      assertThat(queries).contains(metric);
    }
    assertThat(queries).contains("quantile=\"0.5\"").contains("quantile=\"0.99\"");
  }

  @Test
  void everyPanelsQueryNamesADocumentedMetric() throws IOException {
    List<String> queries = queries(dashboard());
    assertThat(queries).hasSizeGreaterThanOrEqualTo(10);
    for (String query : queries) {
      Set<String> named = metricsNamedIn(query);
      assertThat(named).as("metrics named in %s", query).isNotEmpty();
      for (String metric : named) {
        assertThat(documented(metric))
            .as("%s (in %s) is in docs/metrics.md", metric, query)
            .isTrue();
      }
    }
  }

  @Test
  void anUndocumentedMetricInAQueryIsFound() {
    Set<String> named =
        metricsNamedIn(
            "sum(label_replace({__name__=~\""
                + PER_FUNCTION
                + ".+_noSuchMetric\"}, \"f\", \"$1\", \"__name__\", \"x\")) + flink_nope_total");

    assertThat(named).containsExactlyInAnyOrder("noSuchMetric", "flink_nope_total");
    assertThat(named).noneMatch(MonitoringFilesTest::documented);
  }

  /** Per-function metric names from selectors, and whole metric names outside quotes. */
  private static Set<String> metricsNamedIn(String query) {
    Set<String> names = new HashSet<>();
    Matcher selector = PER_FUNCTION_SELECTOR.matcher(query);
    while (selector.find()) {
      names.add(selector.group(1));
    }
    Matcher plain = METRIC_NAME.matcher(query.replaceAll("\"[^\"]*\"", "\"\""));
    while (plain.find()) {
      names.add(plain.group());
    }
    return names;
  }

  /** Whether docs/metrics.md names the metric in code quotes, in full or below an operator. */
  private static boolean documented(String metric) {
    if (metricsDoc.contains("`" + metric + "`")) {
      return true;
    }
    if (metric.startsWith(OPERATOR)) {
      String name = metric.substring(OPERATOR.length());
      return metricsDoc.contains("`" + name + "`")
          || metricsDoc.contains(
              "`" + name.replaceFirst("^endpoint_", "endpoint.<template>.") + "`");
    }
    return false;
  }

  private static List<String> queries(JsonNode dashboard) {
    List<String> queries = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(target.path("expr").asText());
      }
    }
    return queries;
  }

  private static JsonNode dashboard() throws IOException {
    return new ObjectMapper().readTree(DOCKER.resolve("grafana/dashboards/keyflow.json").toFile());
  }

  /** The {@code source:target} volumes of a service that are files of this folder. */
  private static Map<String, String> mountedFiles(String service) {
    Map<String, String> mounts = new java.util.LinkedHashMap<>();
    for (Object volume : list(map(services.get(service)).get("volumes"))) {
      String[] parts = ((String) volume).split(":");
      if (parts[0].startsWith("./")) {
        mounts.put(parts[0], parts[1]);
      }
    }
    return mounts;
  }

  private static Map<String, String> flinkConfig() throws IOException {
    Map<String, String> config = new java.util.HashMap<>();
    for (String line : Files.readAllLines(ROOT.resolve("flink-conf/config.yaml"))) {
      String trimmed = line.trim();
      if (!trimmed.isEmpty() && !trimmed.startsWith("#") && trimmed.contains(":")) {
        int colon = trimmed.indexOf(':');
        config.put(trimmed.substring(0, colon).trim(), trimmed.substring(colon + 1).trim());
      }
    }
    return config;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    return (Map<String, Object>)
        new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return (List<Object>) value;
  }
}
