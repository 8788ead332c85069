package io.keyflow.cli.flink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Job-level operations over Flink's REST API: submit, find, savepoint. */
public final class FlinkJobs {
  private final FlinkRest rest;

  public FlinkJobs(FlinkRest rest) {
    this.rest = rest;
  }

  /**
   * Uploads the job jar and runs it.
   *
   * @param options Flink options for this job only (Flink's {@code flinkConfiguration})
   * @return the job id
   */
  public String submit(
      Path jar,
      List<String> programArgs,
      Integer parallelism,
      String savepoint,
      Map<String, String> options)
      throws IOException, InterruptedException {
    String jarId = rest.uploadJar(jar);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("programArgsList", programArgs);
    if (parallelism != null) {
      body.put("parallelism", parallelism);
    }
    if (savepoint != null) {
      body.put("savepointPath", savepoint);
      body.put("allowNonRestoredState", false);
    }
    if (!options.isEmpty()) {
      body.put("flinkConfiguration", options);
    }
    JsonNode answer = rest.post("/jars/" + jarId + "/run", body);
    String job = answer.path("jobid").asText();
    if (job.isEmpty()) {
      throw new IOException("running the job jar answered " + answer);
    }
    return job;
  }

  /** The ids of the jobs that are not finished, newest first. */
  public List<String> unfinished() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    for (JsonNode job : rest.get("/jobs/overview").path("jobs")) {
      String state = job.path("state").asText();
      if (!List.of("FINISHED", "CANCELED", "FAILED").contains(state)) {
        ids.add(job.path("jid").asText());
      }
    }
    return ids;
  }

  /** The given job, or the only unfinished one. */
  public String jobOrOnlyRunning(String job) throws IOException, InterruptedException {
    if (job != null) {
      return job;
    }
    List<String> running = unfinished();
    if (running.size() != 1) {
      throw new IllegalArgumentException(
          (running.isEmpty() ? "no job is running" : "several jobs are running: " + running)
              + " at "
              + rest.base()
              + "; name one with --job");
    }
    return running.get(0);
  }

  /**
   * Takes a savepoint of {@code job}, or stops it with one ({@code stop}), and waits for it.
   *
   * @return the savepoint's location
   */
  public String savepoint(String job, String directory, boolean stop, Duration timeout)
      throws IOException, InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>();
    if (directory != null) {
      body.put(stop ? "targetDirectory" : "target-directory", directory);
    }
    body.put("formatType", "CANONICAL");
    if (stop) {
      body.put("drain", false);
    } else {
      body.put("cancel-job", false);
    }
    // A job still restoring its tasks refuses savepoints: wait until every task runs.
    awaitAllTasksRunning(job, timeout);
    JsonNode trigger = rest.post("/jobs/" + job + (stop ? "/stop" : "/savepoints"), body);
    String request = trigger.path("request-id").asText();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status = rest.get("/jobs/" + job + "/savepoints/" + request);
      if (status.path("status").path("id").asText().equals("COMPLETED")) {
        JsonNode operation = status.path("operation");
        if (operation.has("failure-cause")) {
          JsonNode cause = operation.path("failure-cause");
          String trace = cause.path("stack-trace").asText(cause.path("class").asText());
          throw new IOException(
              "the savepoint of job "
                  + job
                  + " failed: "
                  + trace.lines().limit(12).reduce((a, b) -> a + "\n" + b).orElse(trace));
        }
        return operation.path("location").asText();
      }
      Thread.sleep(200);
    }
    throw new IOException("the savepoint of job " + job + " did not complete within " + timeout);
  }

  /** Waits until the job runs and so does every task of it (restores are done). */
  public void awaitAllTasksRunning(String job, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen = "unknown";
    while (System.nanoTime() < deadline) {
      JsonNode details = rest.get("/jobs/" + job);
      seen = details.path("state").asText();
      boolean allRunning = seen.equals("RUNNING");
      for (JsonNode vertex : details.path("vertices")) {
        JsonNode tasks = vertex.path("tasks");
        int running = tasks.path("RUNNING").asInt() + tasks.path("FINISHED").asInt();
        allRunning &= running == vertex.path("parallelism").asInt();
      }
      if (allRunning) {
        return;
      }
      if (List.of("FINISHED", "CANCELED", "FAILED").contains(seen)) {
        throw new IOException("job " + job + " is " + seen);
      }
      Thread.sleep(200);
    }
    throw new IOException(
        "the tasks of job " + job + " (" + seen + ") were not all running after " + timeout);
  }

  /** Waits until the job is in one of {@code states}; returns the state it reached. */
  public String awaitState(String job, List<String> states, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String state = "unknown";
    while (System.nanoTime() < deadline) {
      state = rest.get("/jobs/" + job).path("state").asText();
      if (states.contains(state)) {
        return state;
      }
      Thread.sleep(200);
    }
    throw new IOException("job " + job + " is " + state + ", not " + states + ", after " + timeout);
  }
}
