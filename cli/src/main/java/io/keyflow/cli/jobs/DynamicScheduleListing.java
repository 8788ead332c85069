package io.keyflow.cli.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyflow.cli.flink.FlinkJobs;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.state.StateCommand;
import io.keyflow.savepoint.DispatcherLayout;
import io.keyflow.savepoint.DumpFilter;
import io.keyflow.savepoint.SavepointDump;
import io.keyflow.savepoint.SavepointException;
import io.keyflow.schedule.Schedules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The dynamic schedules of a job, one by one, read from a completed checkpoint (or a savepoint)
 * with the reader of {@code keyflow state dump}: each schedule's id, target and next fire time, the
 * {@code limit} that fire first and the total.
 *
 * <p>Why a checkpoint and not the running job: dynamic schedules can be one per customer, spread
 * over every subtask's keyed state. The latest completed checkpoint is a consistent cut of all of
 * them, its path is on Flink's REST API, and reading it runs in this process, so listing a million
 * schedules costs the job nothing. It is as fresh as that checkpoint; the listing says which.
 */
final class DynamicScheduleListing {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ATTEMPTS = 3;
  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

  /**
   * Where the schedules were read.
   *
   * @param checkpointId the checkpoint's id, or -1 for a savepoint given by path
   * @param completedAtMillis when it completed, or -1 if unknown
   */
  record Source(String path, long checkpointId, long completedAtMillis) {}

  /**
   * One dynamic schedule.
   *
   * @param nextFireMillis -1 once it has ended
   * @param report the schedule as the dump writes it (kind, targetType, targetIds, timing, counts)
   */
  record Schedule(
      String id, String targetType, List<String> targetIds, long nextFireMillis, JsonNode report) {

    /** The fields of the dump plus {@code id}, for {@code --json}. */
    ObjectNode json() {
      ObjectNode node = JSON.createObjectNode();
      node.put("id", id);
      node.setAll((ObjectNode) report);
      return node;
    }

    /** {@code cron <expression> <zone>} or {@code every <duration>}. */
    String timing() {
      return report.has("cron")
          ? "cron " + report.path("cron").asText() + " " + report.path("timeZone").asText()
          : "every " + report.path("every").asText();
    }
  }

  /**
   * What was read: the {@code limit} schedules that fire first, soonest first, of {@code total}.
   */
  record Listing(Source source, long total, List<Schedule> shown) {}

  private DynamicScheduleListing() {}

  /**
   * Reads the latest completed checkpoint of {@code jobId}. A checkpoint that newer ones subsume
   * while it is being read loses its files: then the newest is read, up to three times.
   *
   * @throws IllegalStateException if the job has no completed checkpoint whose files can be read
   */
  static Listing fromLatestCheckpoint(FlinkRest rest, String jobId, int limit, Configuration conf)
      throws IOException, InterruptedException {
    SavepointException last = null;
    long tried = -1;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Source source = newest(latestCheckpoint(rest, jobId));
      if (source.checkpointId() == tried) {
        break; // It is still there, so it failed for another reason than being subsumed.
      }
      tried = source.checkpointId();
      try {
        return read(source, limit, conf);
      } catch (SavepointException e) {
        last = e;
      }
    }
    throw last;
  }

  /**
   * Takes a savepoint of {@code jobId} beside its checkpoints, reads it and deletes it.
   *
   * <p>Why: with short checkpoint intervals (100 ms ships) a retained checkpoint is subsumed and
   * its files deleted within a few hundred milliseconds, sooner than a read of it can finish. A
   * savepoint is self-contained and stays until this listing deletes it; it costs the job one
   * savepoint.
   */
  static Listing fromFreshSavepoint(
      FlinkRest rest, String jobId, int limit, Configuration conf, Duration timeout)
      throws IOException, InterruptedException {
    Path jobDirectory = new Path(latestCheckpoint(rest, jobId).path()).getParent();
    Path root = jobDirectory == null ? null : jobDirectory.getParent();
    if (root == null) {
      throw new IllegalStateException(
          "job " + jobId + "'s checkpoint directory has no parent to take a savepoint in");
    }
    Path target = new Path(root, "keyflow-schedules-list-" + System.currentTimeMillis());
    try {
      String location =
          new FlinkJobs(rest).savepoint(jobId, target.toUri().toString(), false, timeout);
      return read(new Source(StateCommand.location(location), -1, -1), limit, conf);
    } finally {
      target.getFileSystem().delete(target, true);
    }
  }

  /**
   * The newest completed checkpoint beside {@code reported} in its job's checkpoint directory.
   * Flink's REST API caches checkpoint statistics for a few seconds (the web refresh interval), so
   * the checkpoint it reports may already be subsumed and deleted by newer ones; the directory
   * lists the checkpoints that exist, and a {@code chk-N} with a {@code _metadata} file has
   * completed.
   */
  static Source newest(Source reported) throws IOException {
    Path reportedPath = new Path(reported.path());
    Path jobDirectory = reportedPath.getParent();
    if (!CHECKPOINT.matcher(reportedPath.getName()).matches() || jobDirectory == null) {
      return reported;
    }
    FileSystem fs = jobDirectory.getFileSystem();
    Source newest = reported;
    FileStatus[] entries = fs.listStatus(jobDirectory);
    for (FileStatus entry : entries == null ? new FileStatus[0] : entries) {
      Matcher name = CHECKPOINT.matcher(entry.getPath().getName());
      if (!entry.isDir() || !name.matches()) {
        continue;
      }
      long id = Long.parseLong(name.group(1));
      if (id <= newest.checkpointId()) {
        continue;
      }
      Path metadata = new Path(entry.getPath(), "_metadata");
      if (fs.exists(metadata)) {
        newest =
            new Source(
                entry.getPath().toUri().toString(),
                id,
                fs.getFileStatus(metadata).getModificationTime());
      }
    }
    return newest;
  }

  /**
   * Whether {@code jobId} keeps its state with Flink's changelog state backend, from its checkpoint
   * configuration on the REST API. Its checkpoints hold state changes in the changelog's own
   * format, which the reader of {@code keyflow state dump} cannot restore; its savepoints
   * (canonical format) can be read.
   */
  static boolean writesChangelog(FlinkRest rest, String jobId)
      throws IOException, InterruptedException {
    return rest.get("/jobs/" + jobId + "/checkpoints/config")
        .path("state_changelog_enabled")
        .asBoolean(false);
  }

  /** Reads the savepoint or retained checkpoint at {@code path}. */
  static Listing fromPath(String path, int limit, Configuration conf) {
    return read(new Source(StateCommand.location(path), -1, -1), limit, conf);
  }

  /** The latest completed checkpoint of {@code jobId}, from Flink's REST API. */
  static Source latestCheckpoint(FlinkRest rest, String jobId)
      throws IOException, InterruptedException {
    JsonNode completed =
        rest.get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
    if (completed.isMissingNode() || completed.isNull()) {
      throw new IllegalStateException(
          "job "
              + jobId
              + " has no completed checkpoint yet, and dynamic schedules are listed from the latest"
              + " one; wait for one (is execution.checkpointing.interval set?), or give"
              + " --savepoint PATH");
    }
    String path = completed.path("external_path").asText("");
    if (!StateCommand.isUri(path) && !path.startsWith("/")) {
      throw new IllegalStateException(
          "job "
              + jobId
              + "'s checkpoints have no path ('"
              + path
              + "'): they are kept in the JobManager's memory; set execution.checkpointing.dir,"
              + " or give --savepoint PATH");
    }
    return new Source(
        path, completed.path("id").asLong(), completed.path("latest_ack_timestamp").asLong(-1));
  }

  private static Listing read(Source source, int limit, Configuration conf) {
    DispatcherLayout layout = DispatcherLayout.read(source.path());
    Comparator<Schedule> soonestFirst =
        Comparator.comparingLong(
                (Schedule s) -> s.nextFireMillis() < 0 ? Long.MAX_VALUE : s.nextFireMillis())
            .thenComparing(Schedule::id);
    // The latest to fire on top, so that the first `limit` stay in a heap of that size.
    PriorityQueue<Schedule> first = new PriorityQueue<>(soonestFirst.reversed());
    long[] total = {0};
    SavepointDump.dump(
        layout,
        new DumpFilter(Schedules.ADDRESS, null),
        conf,
        line -> {
          Schedule schedule = parse(line);
          if (schedule == null) {
            return;
          }
          total[0]++;
          first.add(schedule);
          if (first.size() > limit) {
            first.poll();
          }
        });
    List<Schedule> shown = new ArrayList<>(first);
    shown.sort(soonestFirst);
    return new Listing(source, total[0], shown);
  }

  /** The dynamic schedule on a line of the dump, or null for a static one. */
  static Schedule parse(String line) {
    JsonNode address;
    try {
      address = JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonNode report = address.path("schedule");
    if (!"dynamic".equals(report.path("kind").asText())) {
      return null;
    }
    List<String> ids = new ArrayList<>();
    report.path("targetIds").forEach(id -> ids.add(id.asText()));
    return new Schedule(
        address.path("id").asText(),
        report.path("targetType").asText(),
        ids,
        report.has("nextFire")
            ? Instant.parse(report.path("nextFire").asText()).toEpochMilli()
            : -1,
        report);
  }
}
