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

  /**
   * A job's state and counters, as shown by {@code keyflow run}'s status line.
   *
   * @param busiest the function type with the most messages in a second, or null before any
   */
  public record JobProgress(
      String state, long checkpoints, long recordsIn, long recordsOut, FunctionFigures busiest) {}

  /**
   * The job's progress: completed checkpoints, records its sources emitted (records in), records
   * its functions sent to egresses (records out), and its busiest function type.
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
    FunctionFigures busiest = FunctionMetrics.busiest(new FunctionMetrics(this).of(jobId));
    return new JobProgress(job.path("state").asText(), checkpoints, in, out, busiest);
  }

  /** The sum over every vertex and subtask of the operator metrics whose name ends with suffix. */
  public long sum(String jobId, String suffix) throws IOException, InterruptedException {
    long sum = 0;
    for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
      sum += sumOfMetric(jobId, vertex.path("id").asText(), suffix);
    }
    return sum;
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

  /** GETs a REST path and parses the JSON answer. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET(), path);
  }

  /** POSTs a JSON body to a REST path and parses the JSON answer. */
  public JsonNode post(String path, Object body) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))),
        path);
  }

  /** Uploads a job jar ({@code POST /jars/upload}); returns the id Flink gave it. */
  public String uploadJar(java.nio.file.Path jar) throws IOException, InterruptedException {
    String boundary = "keyflow-" + System.nanoTime();
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    JsonNode answer =
        send(
            HttpRequest.newBuilder(base.resolve("/jars/upload"))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(
                    HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofByteArray(tail))),
            "/jars/upload");
    String file = answer.path("filename").asText();
    if (file.isEmpty()) {
      throw new IOException("uploading " + jar + " to " + base + " answered " + answer);
    }
    return java.nio.file.Path.of(file).getFileName().toString();
  }

  private JsonNode send(HttpRequest.Builder request, String path)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> response;
    try {
      response =
          http.send(
              request.build().timeout().isPresent()
                  ? request.build()
                  : request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.net.ConnectException e) {
      throw new IOException("no Flink REST API at " + base + " (" + e + ")", e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          base.resolve(path)
              + " answered "
              + response.statusCode()
              + ": "
              + new String(response.body(), StandardCharsets.UTF_8));
    }
    return JSON.readTree(response.body());
  }

  public URI base() {
    return base;
  }
}
