package io.keyflow.cli.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads a job's progress from Flink's REST API (a MiniCluster's or a cluster's). */
public final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EGRESS_RECORDS = ".keyflowEgressRecords";

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public FlinkRest(URI base) {
    this.base = base;
  }

  /** A job's state and counters, as shown by {@code keyflow run}'s status line. */
  public record JobProgress(String state, long checkpoints, long recordsIn, long recordsOut) {}

  /**
   * The job's progress: completed checkpoints, records its sources emitted (records in), and
   * records its functions sent to egresses (records out).
   */
  public JobProgress progress(String jobId) throws IOException, InterruptedException {
    JsonNode job = get("/jobs/" + jobId);
    long checkpoints =
        get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    long in = 0;
    long out = 0;
    for (JsonNode vertex : job.path("vertices")) {
      if (vertex.path("name").asText().startsWith("Source:")) {
        in += vertex.path("metrics").path("write-records").asLong();
      }
      out += sumOfMetric(jobId, vertex.path("id").asText(), EGRESS_RECORDS);
    }
    return new JobProgress(job.path("state").asText(), checkpoints, in, out);
  }

  /** The sum over a vertex's subtasks of the operator metrics whose name ends with suffix. */
  private long sumOfMetric(String jobId, String vertexId, String suffix)
      throws IOException, InterruptedException {
    String path = "/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics";
    List<String> names = new ArrayList<>();
    for (JsonNode metric : get(path)) {
      String id = metric.path("id").asText();
      if (id.endsWith(suffix)) {
        names.add(id);
      }
    }
    if (names.isEmpty()) {
      return 0;
    }
    long sum = 0;
    String query =
        "?agg=sum&get=" + URLEncoder.encode(String.join(",", names), StandardCharsets.UTF_8);
    for (JsonNode metric : get(path + query)) {
      sum += metric.path("sum").asLong();
    }
    return sum;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET "
              + base.resolve(path)
              + " answered "
              + response.statusCode()
              + ": "
              + new String(response.body(), StandardCharsets.UTF_8));
    }
    return JSON.readTree(response.body());
  }
}
