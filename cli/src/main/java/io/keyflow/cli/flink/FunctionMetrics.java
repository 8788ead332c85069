package io.keyflow.cli.flink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads Keyflow's per-function metrics of a job from Flink's REST API. They are named {@code
 * <operator>.functions.<namespace>.<type>.<metric>} there (docs/metrics.md); histograms appear as
 * {@code <metric>_median}, {@code <metric>_p99} and so on.
 */
public final class FunctionMetrics {
  static final String GROUP = "functions";
  private static final List<String> SUMMED =
      List.of(
          "inRate",
          "outLocalRate",
          "outRemoteRate",
          "outEgressRate",
          "remoteInvocationFailuresRate",
          "numBacklog",
          "keyflowDeadLetters",
          "keyflowHeldCalls");
  private static final List<String> WORST =
      List.of(
          "remoteInvocationLatency_median", "remoteInvocationLatency_p99", "keyflowEndpointDown");

  private static final int IDS_PER_REQUEST = 30;

  private final FlinkRest rest;

  public FunctionMetrics(FlinkRest rest) {
    this.rest = rest;
  }

  /** Every function type the job's dispatchers have met, by name. */
  public List<FunctionFigures> of(String jobId) throws IOException, InterruptedException {
    Map<String, Map<String, Double>> byFunction = new TreeMap<>();
    for (JsonNode vertex : rest.get("/jobs/" + jobId).path("vertices")) {
      String path =
          "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> summed = new ArrayList<>();
      List<String> worst = new ArrayList<>();
      for (JsonNode metric : rest.get(path)) {
        String id = metric.path("id").asText();
        String[] name = functionMetric(id);
        if (name != null && SUMMED.contains(name[1])) {
          summed.add(id);
        } else if (name != null && WORST.contains(name[1])) {
          worst.add(id);
        }
      }
      collect(path, summed, "sum", byFunction);
      collect(path, worst, "max", byFunction);
    }
    List<FunctionFigures> figures = new ArrayList<>();
    byFunction.forEach(
        (function, values) ->
            figures.add(
                new FunctionFigures(
                    function,
                    values.getOrDefault("inRate", 0.0),
                    values.getOrDefault("outLocalRate", 0.0)
                        + values.getOrDefault("outRemoteRate", 0.0)
                        + values.getOrDefault("outEgressRate", 0.0),
                    values.getOrDefault("remoteInvocationLatency_median", 0.0),
                    values.getOrDefault("remoteInvocationLatency_p99", 0.0),
                    values.getOrDefault("remoteInvocationFailuresRate", 0.0),
                    values.getOrDefault("numBacklog", 0.0).longValue(),
                    values.getOrDefault("keyflowDeadLetters", 0.0).longValue(),
                    values.getOrDefault("keyflowEndpointDown", 0.0) > 0,
                    values.getOrDefault("keyflowHeldCalls", 0.0).longValue())));
    return figures;
  }

  /** The busiest function type by messages in a second, or null when none has metrics yet. */
  public static FunctionFigures busiest(List<FunctionFigures> figures) {
    FunctionFigures busiest = null;
    for (FunctionFigures f : figures) {
      if (busiest == null || f.inPerSecond() > busiest.inPerSecond()) {
        busiest = f;
      }
    }
    return busiest;
  }

  /**
   * {@code [namespace/type, metric]} of a per-function metric's REST id, or null for any other
   * metric.
   */
  static String[] functionMetric(String id) {
    String[] parts = id.split("\\.");
    if (parts.length < 5 || !parts[parts.length - 4].equals(GROUP)) {
      return null;
    }
    return new String[] {
      parts[parts.length - 3] + "/" + parts[parts.length - 2], parts[parts.length - 1]
    };
  }

  private void collect(
      String path, List<String> ids, String agg, Map<String, Map<String, Double>> into)
      throws IOException, InterruptedException {
    // A few ids a request: Flink's REST server refuses request lines longer than 4 kB.
    for (int from = 0; from < ids.size(); from += IDS_PER_REQUEST) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_REQUEST));
      String query =
          "?agg="
              + agg
              + "&get="
              + URLEncoder.encode(String.join(",", chunk), StandardCharsets.UTF_8);
      collect(rest.get(path + query), agg, into);
    }
  }

  private static void collect(JsonNode answer, String agg, Map<String, Map<String, Double>> into) {
    for (JsonNode metric : answer) {
      String[] name = functionMetric(metric.path("id").asText());
      if (name != null) {
        into.computeIfAbsent(name[0], f -> new TreeMap<>())
            .merge(
                name[1], metric.path(agg).asDouble(), agg.equals("sum") ? Double::sum : Math::max);
      }
    }
  }
}
