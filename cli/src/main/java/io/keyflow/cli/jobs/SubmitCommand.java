package io.keyflow.cli.jobs;

import io.keyflow.cli.KeyflowHome;
import io.keyflow.cli.cluster.ClusterJobJar;
import io.keyflow.cli.flink.FlinkJobs;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.job.KeyflowTopology;
import io.keyflow.module.ModuleLoader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyflow submit}: runs the Keyflow job jar on a Flink cluster. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = {
      "Uploads the Keyflow job jar to a Flink 2.2 cluster and runs it with a module. The module"
          + " is checked here first; the JobManager reads it from the same path (or URL), so the"
          + " path must be valid there too."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow submit --rest http://127.0.0.1:8081 --module module.yaml --parallelism 2",
      "  keyflow submit --rest http://127.0.0.1:8081 --module module.yaml \\",
      "      --from-savepoint file:///tmp/savepoints/savepoint-1a2b3c-0123456789ab"
    })
public final class SubmitCommand implements Callable<Integer> {
  @Option(names = "--rest", required = true, paramLabel = "URL", description = "Flink's REST API.")
  URI rest;

  @Option(
      names = "--module",
      required = true,
      paramLabel = "FILE",
      description = "The module.yaml (a path or URL).")
  String module;

  @Option(names = "--parallelism", paramLabel = "N", description = "The job's parallelism.")
  Integer parallelism;

  @Option(
      names = "--from-savepoint",
      paramLabel = "PATH",
      description = "Restore from this savepoint or retained checkpoint.")
  String savepoint;

  @Option(
      names = "--jar",
      paramLabel = "JAR",
      description = "The job jar (default: this build's job/target/keyflow-job-*.jar).")
  Path jar;

  @Option(
      names = {"-D"},
      paramLabel = "KEY=VALUE",
      description = "A Flink or Keyflow option for this job, such as -D keyflow.job-name=shop.")
  Map<String, String> options = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    String location = module;
    if (!module.contains(":") || module.startsWith("file:")) {
      Path file = Path.of(module.replaceFirst("^file:", "")).toAbsolutePath().normalize();
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("cannot read the module " + file);
      }
      location = file.toString();
    }
    // Refuse a broken module here, with its error, rather than as a failed job on the cluster;
    // the ingresses' and egresses' own checks too (topics that do not exist), which the job
    // repeats.
    KeyflowTopology.checkBeforeStart(ModuleLoader.load(location));
    Path jobJar = jar != null ? jar : KeyflowHome.jobJar();
    ClusterJobJar.checkSubmission(new FlinkRest(rest), jobJar);
    String job =
        new FlinkJobs(new FlinkRest(rest))
            .submit(jobJar, List.of("--module", location), parallelism, savepoint, options);
    System.out.println("Submitted job " + job);
    return 0;
  }
}
