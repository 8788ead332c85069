package io.keyflow.cli.jobs;

import io.keyflow.cli.flink.FlinkJobs;
import io.keyflow.cli.flink.FlinkRest;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyflow savepoint}: takes a savepoint, or stops the job with one. */
@Command(
    name = "savepoint",
    mixinStandardHelpOptions = true,
    description = {
      "Takes a savepoint of the running job and prints its location. With --stop the job stops"
          + " with the savepoint (the safe way to stop a live stream: no records are lost or"
          + " repeated when a job is submitted again --from-savepoint)."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow savepoint --rest http://127.0.0.1:8081",
      "  keyflow savepoint --rest http://127.0.0.1:8081 --stop --dir file:///tmp/savepoints"
    })
public final class SavepointCommand implements Callable<Integer> {
  @Option(names = "--rest", required = true, paramLabel = "URL", description = "Flink's REST API.")
  URI rest;

  @Option(names = "--stop", description = "Stop the job with the savepoint.")
  boolean stop;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Where to write it (default: the cluster's savepoint directory).")
  String dir;

  @Option(
      names = "--job",
      paramLabel = "ID",
      description = "The job (default: the only running job).")
  String job;

  @Override
  public Integer call() throws Exception {
    FlinkJobs jobs = new FlinkJobs(new FlinkRest(rest));
    String id = jobs.jobOrOnlyRunning(job);
    String location = jobs.savepoint(id, dir, stop, Duration.ofMinutes(10));
    System.out.println((stop ? "Stopped job " + id + " with savepoint " : "Savepoint ") + location);
    return 0;
  }
}
