package io.keyflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.cli.JvmFlags;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real StateFun 3.3 job on Flink 1.16 (StateFun's own {@code StatefulFunctionsJob} in a local
 * MiniCluster), in a JVM of its own with the test classpath of the {@code statefun-reader} module
 * ({@code io.keyflow.statefun.harness.StatefunJobMain}); driven over Flink's REST API. Its log
 * (checkpoints, task failures, a thread dump when a savepoint times out) is kept in {@code
 * target/statefun-jobs/}.
 */
public final class StatefunJobProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The reactor builds {@code statefun-reader} before this module (tests/pom.xml). */
  private static final Path READER =
      Path.of("..", "statefun-reader", "target").toAbsolutePath().normalize();

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newHttpClient();
  private String jobId;

  private StatefunJobProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts the job on {@code module} (a StateFun module.yaml) with its checkpoints under {@code
   * dir} and waits until all its tasks run.
   *
   * @param harnessArgs more options of {@code StatefunJobMain}, such as {@code --parallelism 1}
   */
  public static StatefunJobProcess start(
      Path module, Path dir, Duration timeout, String heap, String... harnessArgs)
      throws Exception {
    Path classpath = READER.resolve("test-classpath.txt");
    if (!Files.isRegularFile(classpath) || !Files.isDirectory(READER.resolve("test-classes"))) {
      throw new IllegalStateException(
          classpath
              + " or the test classes beside it are missing; the reactor builds them:"
              + " mvn -B verify -pl tests -am");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.addAll(JvmFlags.inherited());
    command.add("-cp");
    command.add(
        READER.resolve("test-classes")
            + File.pathSeparator
            + READER.resolve("classes")
            + File.pathSeparator
            + Files.readString(classpath).trim());
    command.add("io.keyflow.statefun.harness.StatefunJobMain");
    command.addAll(
        List.of(
            "--module",
            module.toString(),
            "--rest-port",
            String.valueOf(port),
            "--checkpoints",
            dir.resolve("statefun-checkpoints").toString()));
    command.addAll(List.of(harnessArgs));
    Path logs = Files.createDirectories(Path.of("target", "statefun-jobs").toAbsolutePath());
    Path log = logs.resolve("statefun-job-" + System.currentTimeMillis() + ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    StatefunJobProcess job = new StatefunJobProcess(process, port, log);
    try {
      job.awaitRunning(timeout);
    } catch (Exception e) {
      job.close();
      throw e;
    }
    return job;
  }

  /** The job's log file. */
  public Path log() {
    return log;
  }

  private void awaitRunning(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the StateFun job ended; see " + log);
      }
      try {
        JsonNode jobs = get("/jobs/overview").path("jobs");
        for (JsonNode job : jobs) {
          if (job.path("state").asText().equals("RUNNING")
              && job.path("tasks").path("running").asInt()
                  == job.path("tasks").path("total").asInt()) {
            jobId = job.path("jid").asText();
            return;
          }
        }
      } catch (IOException notYet) {
        // The REST endpoint is not up yet.
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        "the StateFun job is not running after " + timeout + "; see " + log);
  }

  /**
   * Takes a canonical savepoint under {@code dir} and returns its path; the job keeps running (stop
   * it with {@link #cancel}).
   *
   * <p>Not Flink's stop-with-savepoint: StateFun's Kafka ingress (the legacy {@code
   * FlinkKafkaConsumer} of Flink 1.16) fails it with {@code Handover$ClosedException} in its source
   * task. Nor a savepoint with {@code cancel-job}: the cancellation is a step of its own here, so a
   * slow one is told apart from a slow savepoint.
   */
  public String savepoint(Path dir, Duration timeout) throws Exception {
    String body =
        JSON.createObjectNode()
            .put("target-directory", dir.toUri().toString())
            .put("cancel-job", false)
            .put("formatType", "CANONICAL")
            .toString();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/jobs/" + jobId + "/savepoints"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String request = JSON.readTree(response.body()).path("request-id").asText();
    if (request.isEmpty()) {
      throw new IllegalStateException("no savepoint triggered: " + response.body());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = get("/jobs/" + jobId + "/savepoints/" + request);
      if (status.path("status").path("id").asText().equals("COMPLETED")) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          throw new IllegalStateException(
              "the savepoint failed (see " + log + "): " + operation.path("failure-cause"));
        }
        return operation.path("location").asText();
      }
      Thread.sleep(200);
    }
    String checkpoints = get("/jobs/" + jobId + "/checkpoints").path("counts").toString();
    threadDump();
    throw new IllegalStateException(
        "no savepoint after " + timeout + "; checkpoints " + checkpoints + "; see " + log);
  }

  /** Cancels the job and waits until its process has ended. */
  public void cancel(Duration timeout) throws Exception {
    http.send(
        HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
            .timeout(Duration.ofSeconds(30))
            .method("PATCH", HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      threadDump();
      throw new IllegalStateException(
          "the StateFun job's process did not end within "
              + timeout
              + " of its cancel; see "
              + log);
    }
  }

  /** Asks the JVM to print its threads into the log, to show what a slow operation waits for. */
  private void threadDump() throws InterruptedException {
    try {
      new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid()))
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      // Only a diagnostic.
    }
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
