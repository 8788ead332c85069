package io.keyflow.cli.run;

import io.keyflow.cli.FlinkDuration;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.kafka.EmbeddedKafka;
import io.keyflow.examples.shop.ShopApp;
import io.keyflow.examples.shop.ShopSettings;
import io.keyflow.functions.FunctionServer;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.io.gateway.GatewaySpec;
import io.keyflow.io.kafka.KafkaIngress;
import io.keyflow.io.kafka.ModuleTopics;
import io.keyflow.job.KeyflowOptions;
import io.keyflow.job.KeyflowTopology;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keyflow run}: the Keyflow job on a Flink MiniCluster in this process, with RocksDB and
 * checkpoints under the state directory, optionally with an embedded Kafka broker and the example
 * functions. Resumes from the last retained checkpoint; Ctrl-C stops everything and exits 0.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs Keyflow in this process: the job on an embedded Flink MiniCluster (RocksDB,"
          + " checkpoints under the state directory). Without --module it runs the example shop"
          + " with an embedded Kafka broker (127.0.0.1:9092) and the shop's functions (port 8000).",
      "A later run in the same directory resumes from the last retained checkpoint. Ctrl-C stops"
          + " everything cleanly."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow run",
      "  keyflow run --module my-module.yaml --parallelism 2 --checkpoint-interval 5s",
      "  keyflow run --module my-module.yaml --with-kafka",
      "      (the module's Kafka address is 127.0.0.1:9092)"
    })
public final class RunCommand implements Callable<Integer> {
  /** The example shop's module, which the CLI carries. */
  public static final String EXAMPLE_MODULE = "classpath:io/keyflow/cli/example/module.yaml";

  @Option(
      names = "--module",
      paramLabel = "FILE",
      description = "The module.yaml to run (a path or URL). Default: the example shop.")
  String module;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "2",
      description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      // Exactly-once output and gateway replies wait for the next checkpoint: 100 ms answers a
      // gateway call in ~86 ms (p50) where 1 s took ~560 ms, for about a quarter of the backlog
      // throughput on 2 cores (docs/benchmarks.md, "Exactly-once latency", has the curve).
      defaultValue = "100 ms",
      converter = FlinkDuration.class,
      description =
          "Time between checkpoints, such as 1s, 200ms or 2 min (default: ${DEFAULT-VALUE})."
              + " Exactly-once output becomes visible on each checkpoint.")
  Duration checkpointInterval;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      defaultValue = ".keyflow",
      description =
          "Where checkpoints, Kafka's data and the log go (default: ${DEFAULT-VALUE} in the"
              + " working directory).")
  Path stateDir;

  @Option(
      names = "--with-kafka",
      description = "Start an embedded Kafka broker (implied without --module).")
  boolean withKafka;

  @Option(
      names = "--with-examples",
      description = "Serve the example shop's functions (implied without --module).")
  boolean withExamples;

  @Option(
      names = "--kafka-port",
      paramLabel = "PORT",
      defaultValue = "9092",
      description = "Port of the embedded Kafka broker on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--functions-port",
      paramLabel = "PORT",
      defaultValue = "" + ShopApp.DEFAULT_PORT,
      description = "Port of the example functions (default: ${DEFAULT-VALUE}).")
  int functionsPort;

  @Option(
      names = "--rest-port",
      paramLabel = "PORT",
      defaultValue = "8081-8099",
      description =
          "Port or range for Flink's REST API and web UI on 127.0.0.1; 0 for any"
              + " (default: ${DEFAULT-VALUE}).")
  String restPort;

  @Option(
      names = "--prometheus-port",
      paramLabel = "PORT",
      defaultValue = "9249-9260",
      description =
          "Port or range for Flink's Prometheus reporter (metrics at /metrics, on every"
              + " interface); the first free one is taken; off for none (default: ${DEFAULT-VALUE}).")
  String prometheusPort;

  @Option(
      names = "--fresh",
      description = "Start from empty state instead of the last retained checkpoint.")
  boolean fresh;

  @Option(
      names = "--from-savepoint",
      paramLabel = "PATH",
      description =
          "Start from this savepoint or retained checkpoint instead of the last retained"
              + " checkpoint (for example one written by 'keyflow state bootstrap').")
  String fromSavepoint;

  @Option(
      names = {"-D"},
      paramLabel = "KEY=VALUE",
      description = "A Flink or Keyflow configuration option, such as -D keyflow.job-name=shop.")
  Map<String, String> options = new LinkedHashMap<>();

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    Files.createDirectories(stateDir);
    System.setProperty("keyflow.log.file", stateDir.resolve("keyflow.log").toString());
    Logger log = LoggerFactory.getLogger(RunCommand.class);
    boolean example = module == null;
    Module loaded = ModuleLoader.load(example ? EXAMPLE_MODULE : module);
    CountDownLatch stop = Shutdown.onSignal();

    try (Resources resources = new Resources()) {
      if (withKafka || example) {
        out.printf(
            "Starting Kafka on 127.0.0.1:%d (data in %s)%n", kafkaPort, stateDir.resolve("kafka"));
        EmbeddedKafka kafka =
            resources.add(EmbeddedKafka.start(stateDir.resolve("kafka"), kafkaPort));
        warnAboutOtherBrokers(loaded, kafka.bootstrapServers());
        // Every topic the module names, declared egress topics included: an exactly-once egress
        // that declares them fails to start while one is missing.
        Set<String> topics = new TreeSet<>(ModuleTopics.of(loaded));
        Gateway.declaredIn(loaded)
            .ifPresent(
                gateway -> {
                  topics.add(gateway.requestTopic());
                  topics.add(gateway.replyTopic());
                });
        if (withExamples || example) {
          topics.addAll(ShopApp.OUTPUT_TOPICS);
        }
        kafka.createTopics(topics, parallelism);
      }
      if (withExamples || example) {
        FunctionServer functions =
            resources.add(
                ShopApp.serve(ShopSettings.fromEnvironment(), "127.0.0.1", functionsPort));
        out.printf("Example functions on %s%n", functions.baseUrl());
      }
      Configuration conf = EmbeddedConfiguration.create(this);
      OptionalInt metricsPort = PrometheusPort.choose(prometheusPort);
      // A reporter configured with -D wins over the chosen port.
      metricsPort.ifPresent(
          port ->
              PrometheusPort.options(port)
                  .forEach(
                      (key, value) -> {
                        if (!options.containsKey(key)) {
                          conf.setString(key, value);
                        }
                      }));
      Optional<String> resumeFrom =
          fromSavepoint != null
              ? Optional.of(savepointLocation(fromSavepoint))
              : fresh
                  ? Optional.empty()
                  : new RetainedCheckpoints(checkpoints()).latest().map(p -> p.toUri().toString());
      resumeFrom.ifPresent(
          checkpoint -> {
            conf.setString("execution.state-recovery.path", checkpoint);
            out.printf("Resuming from %s%n", checkpoint);
          });
      EmbeddedFlink flink = resources.add(EmbeddedFlink.start(conf, parallelism));
      StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
      KeyflowTopology.build(env, loaded, conf);
      StreamGraph graph = env.getStreamGraph();
      graph.setJobName(conf.get(KeyflowOptions.JOB_NAME));
      JobID job = flink.submit(graph);
      URI web = flink.restAddress();
      out.printf(
          "Keyflow job %s running %s at parallelism %d; log in %s; Ctrl-C stops%n",
          job, example ? "the example shop" : module, parallelism, stateDir.resolve("keyflow.log"));
      log.info("Job {} submitted; web UI at {}", job, web);
      Optional<GatewaySpec> gatewaySpec = Gateway.declaredIn(loaded);
      if (gatewaySpec.isPresent()) {
        Gateway gateway =
            resources.add(Gateway.start(gatewaySpec.get(), loaded, Duration.ofSeconds(30)));
        out.printf("HTTP gateway on %s%n", gateway.baseUrl());
      }
      metricsPort.ifPresent(
          port -> out.printf("Prometheus metrics on http://127.0.0.1:%d/metrics%n", port));

      int status = watch(flink, job, web, stop, resumeFrom.isPresent());
      if (status != 0) {
        return status;
      }
      out.println("Stopping: cancelling the job (the last checkpoint is kept for the next run)");
      Shutdown.startWatchdog(Duration.ofSeconds(9), out);
      flink.cancel(job, Duration.ofSeconds(5));
    }
    out.println("Stopped.");
    return 0;
  }

  /**
   * Shows the status line until a signal (returns 0), the job ends by itself (returns 1), or the
   * embedded TaskManager is lost too often to go on (returns 1; see {@link TaskManagerWatch}).
   */
  private int watch(EmbeddedFlink flink, JobID job, URI web, CountDownLatch stop, boolean restored)
      throws Exception {
    FlinkRest rest = new FlinkRest(web);
    StatusLine status = new StatusLine(out, System.console() != null);
    RetainedCheckpoints retained = new RetainedCheckpoints(checkpoints());
    TaskManagerWatch taskManagers = new TaskManagerWatch();
    boolean cleaned = !restored;
    Logger log = LoggerFactory.getLogger(RunCommand.class);
    while (!stop.await(1, TimeUnit.SECONDS)) {
      if (!keepTaskManager(flink, taskManagers, status, log)) {
        return 1;
      }
      if (flink.result(job).isDone()) {
        status.finish();
        JobResult result = flink.result(job).get();
        out.printf(
            "The job ended: %s%s%n",
            result.getApplicationStatus(),
            result
                .getSerializedThrowable()
                .map(
                    t ->
                        " ("
                            + t.getFullStringifiedStackTrace().lines().findFirst().orElse("")
                            + ")")
                .orElse(""));
        return 1;
      }
      try {
        FlinkRest.JobProgress progress = rest.progress(job.toString());
        status.show(progress, web.toString());
        if (!cleaned && progress.checkpoints() > 0) {
          retained.deleteAllJobsBut(job.toString());
          cleaned = true;
        }
      } catch (Exception e) {
        log.debug("Cannot read the job's progress yet", e);
      }
    }
    status.finish();
    return 0;
  }

  /**
   * Starts a new TaskManager when the embedded one is gone; false when it is gone once too often
   * and the run should exit.
   */
  private boolean keepTaskManager(
      EmbeddedFlink flink, TaskManagerWatch watch, StatusLine status, Logger log) throws Exception {
    return switch (watch.observe(flink.taskManagers(), Instant.now())) {
      case RUNNING -> true;
      case REPLACE -> {
        status.finish();
        out.printf(
            "The embedded TaskManager stopped after a fatal error (see %s); starting a new one, and"
                + " the job resumes from its last checkpoint%n",
            stateDir.resolve("keyflow.log"));
        log.error("The embedded TaskManager is gone; starting a new one");
        flink.startTaskManager();
        yield true;
      }
      case GIVE_UP -> {
        status.finish();
        out.printf(
            "The embedded TaskManager was lost %d times within %d minutes; exiting so that"
                + " keyflow run can be started again (it resumes from the last retained"
                + " checkpoint). See %s%n",
            watch.recentLosses(),
            TaskManagerWatch.WINDOW.toMinutes(),
            stateDir.resolve("keyflow.log"));
        log.error("The embedded TaskManager was lost {} times; exiting", watch.recentLosses());
        yield false;
      }
    };
  }

  private static String savepointLocation(String path) {
    if (path.matches("[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
      return path;
    }
    Path local = Path.of(path).toAbsolutePath().normalize();
    if (!Files.exists(local)) {
      throw new IllegalArgumentException("--from-savepoint " + path + ": no such directory");
    }
    return local.toUri().toString();
  }

  Path checkpoints() {
    return stateDir.toAbsolutePath().resolve("checkpoints");
  }

  private void warnAboutOtherBrokers(Module module, String embedded) {
    for (KafkaIngress in : kafkaIngresses(module)) {
      if (!in.bootstrapServers().contains(":" + kafkaPort)) {
        out.printf(
            "Warning: ingress %s reads from %s, not from the embedded broker at %s%n",
            in.id(), in.bootstrapServers(), embedded);
      }
    }
  }

  private static List<KafkaIngress> kafkaIngresses(Module module) {
    return module.ingresses().stream()
        .filter(KafkaIngress.class::isInstance)
        .map(KafkaIngress.class::cast)
        .toList();
  }
}
