package io.keyflow.cli.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyflow.schedule.ScheduleMetrics;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the schedules of a job from Flink's REST API: each static schedule's metrics ({@code
 * <operator>.schedule.<id>.<metric>}, registered by the subtask that owns it) and the dispatchers'
 * totals for dynamic schedules (docs/metrics.md).
 */
public final class ScheduleReadings {
  private static final int IDS_PER_REQUEST = 30;

  /** One static schedule; {@code nextFireMillis} is -1 once it has ended. */
  public record Schedule(
      String id, long nextFireMillis, long fires, long missed, long late, long latenessMillis) {}

  /** The dispatchers' counts for dynamic schedules since their subtasks started. */
  public record DynamicTotals(long fires, long missed, long late, long commands, long rejected) {}

  /** What one job's schedules show. */
  public record Readings(List<Schedule> schedules, DynamicTotals dynamic) {}

  private final FlinkRest rest;

  public ScheduleReadings(FlinkRest rest) {
    this.rest = rest;
  }

  public Readings of(String jobId) throws IOException, InterruptedException {
    Map<String, Map<String, Long>> byId = new TreeMap<>();
    Map<String, Long> totals = new TreeMap<>();
    for (JsonNode vertex : rest.get("/jobs/" + jobId).path("vertices")) {
      String path =
          "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
      List<String> perSchedule = new ArrayList<>();
      List<String> perSubtask = new ArrayList<>();
      for (JsonNode metric : rest.get(path)) {
        String id = metric.path("id").asText();
        if (scheduleMetric(id) != null) {
          perSchedule.add(id);
        } else if (ScheduleMetrics.PER_SUBTASK.contains(metricName(id))) {
          perSubtask.add(id);
        }
      }
      for (JsonNode metric : query(path, perSchedule, "max")) {
        String[] name = scheduleMetric(metric.path("id").asText());
        if (name != null) {
          byId.computeIfAbsent(name[0], k -> new TreeMap<>())
              .put(name[1], (long) metric.path("max").asDouble());
        }
      }
      for (JsonNode metric : query(path, perSubtask, "sum")) {
        totals.merge(
            metricName(metric.path("id").asText()),
            (long) metric.path("sum").asDouble(),
            Long::sum);
      }
    }
    List<Schedule> schedules = new ArrayList<>();
    byId.forEach(
        (id, values) ->
            schedules.add(
                new Schedule(
                    id,
                    values.getOrDefault(ScheduleMetrics.NEXT_FIRE, -1L),
                    values.getOrDefault(ScheduleMetrics.FIRES, 0L),
                    values.getOrDefault(ScheduleMetrics.MISSED, 0L),
                    values.getOrDefault(ScheduleMetrics.LATE, 0L),
                    values.getOrDefault(ScheduleMetrics.LATENESS, 0L))));
    return new Readings(
        schedules,
        new DynamicTotals(
            totals.getOrDefault(ScheduleMetrics.DYNAMIC_FIRES, 0L),
            totals.getOrDefault(ScheduleMetrics.DYNAMIC_MISSED, 0L),
            totals.getOrDefault(ScheduleMetrics.DYNAMIC_LATE, 0L),
            totals.getOrDefault(ScheduleMetrics.COMMANDS, 0L),
            totals.getOrDefault(ScheduleMetrics.COMMANDS_REJECTED, 0L)));
  }

  /**
   * {@code [schedule id, metric]} of a per-schedule metric's REST id ({@code
   * <operator>.schedule.<id>.<metric>}; the id may hold dots), or null for any other metric.
   */
  static String[] scheduleMetric(String id) {
    String metric = metricName(id);
    int group = id.indexOf("." + ScheduleMetrics.GROUP + ".");
    int last = id.lastIndexOf('.');
    if (!ScheduleMetrics.PER_SCHEDULE.contains(metric) || group < 0) {
      return null;
    }
    int from = group + ScheduleMetrics.GROUP.length() + 2;
    return from >= last ? null : new String[] {id.substring(from, last), metric};
  }

  private static String metricName(String id) {
    return id.substring(id.lastIndexOf('.') + 1);
  }

  private List<JsonNode> query(String path, List<String> ids, String agg)
      throws IOException, InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    // A few ids a request: Flink's REST server refuses request lines longer than 4 kB.
    for (int from = 0; from < ids.size(); from += IDS_PER_REQUEST) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_REQUEST));
      String query =
          "?agg="
              + agg
              + "&get="
              + URLEncoder.encode(String.join(",", chunk), StandardCharsets.UTF_8);
      rest.get(path + query).forEach(out::add);
    }
    return out;
  }
}
