package io.keyflow.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.keyflow.cli.FlinkDuration;
import io.keyflow.cli.run.EmbeddedConfiguration;
import io.keyflow.cli.run.EmbeddedFlink;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keyflow bench}: measures the Keyflow job against a backlog of records. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures Keyflow on this machine. Starts a Kafka broker and a function server (a counter"
          + " and a forwarding function, statefun-sdk-java on Undertow) as processes of their own,"
          + " fills an input topic with N records over K keys, runs the Keyflow job (MiniCluster,"
          + " RocksDB, exactly-once Kafka egress) in this process, and reports per workload:"
          + " throughput, messages per HTTP request, CPU microseconds per record of each process"
          + " (from /proc), and whether every key's outputs are exactly 1..c.",
      "Workloads: counter (Kafka -> counter -> Kafka) and forward (Kafka -> forward -> counter"
          + " -> Kafka)."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow bench",
      "  keyflow bench --tls",
      "  keyflow bench --tls --http2",
      "  keyflow bench --records 20000 --keys 1000 --workload counter --output bench.json",
      "  keyflow bench --workload gateway --gateway-rate 200 --gateway-keys 1000"
          + " --checkpoint-breakdown"
    })
public final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--records",
      paramLabel = "N",
      defaultValue = "200000",
      description = "Records in the backlog (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(
      names = "--keys",
      paramLabel = "K",
      defaultValue = "10000",
      description = "Distinct keys (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(
      names = "--parallelism",
      paramLabel = "P",
      defaultValue = "2",
      description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      defaultValue = "1 s",
      converter = FlinkDuration.class,
      // 1 s, not the shipped 100 ms: every throughput and latency figure in docs/benchmarks.md
      // outside its exactly-once curve was measured at 1 s, and a new run should compare with
      // them. bin/bench-interval-curve measures the shipped interval beside it.
      description =
          "Checkpoint interval (default: ${DEFAULT-VALUE}, as the published figures; keyflow"
              + " run and flink-conf/config.yaml use 100 ms).")
  Duration checkpointInterval;

  @Option(
      names = "--workload",
      paramLabel = "NAME",
      split = ",",
      defaultValue = "counter,forward",
      description =
          "Workloads to run: counter, forward, gateway (calls through the HTTP gateway, with"
              + " exactly-once and at-least-once replies) (default: ${DEFAULT-VALUE}).")
  List<String> workloads;

  @Option(
      names = "--pipelining",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Requests the job may pipeline on one connection to the function server (the"
              + " endpoint's transport.pipelining; default: ${DEFAULT-VALUE}, none).")
  int pipelining;

  @Option(
      names = "--tls",
      description =
          "Calls the functions over https with mutual TLS (certificates made for the run with"
              + " keytool in the state directory) instead of http.")
  boolean tls;

  @Option(
      names = "--trace-sink",
      description =
          "Starts a stand-in trace collector in a process of its own and points"
              + " keyflow.tracing.endpoint at it; set the share of traced records with"
              + " -D keyflow.tracing.sampling-ratio=R. Exports taken: trace-sink.txt in the state"
              + " directory.")
  boolean traceSink;

  @Option(
      names = "--http2",
      description =
          "Calls the functions over HTTP/2 (the endpoint's transport.protocol: http2; h2 with"
              + " --tls, else h2c), with the function server speaking HTTP/2, instead of HTTP/1.1.")
  boolean http2;

  @Option(
      names = "--gateway-calls",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "Calls the gateway workload measures, per reply mode (default: ${DEFAULT-VALUE}).")
  long gatewayCalls;

  @Option(
      names = "--gateway-concurrency",
      paramLabel = "N",
      defaultValue = "16",
      description =
          "Calls the gateway workload keeps in flight, each waiting for its reply"
              + " (default: ${DEFAULT-VALUE}).")
  int gatewayConcurrency;

  @Option(
      names = "--gateway-rate",
      paramLabel = "CALLS_PER_SECOND",
      defaultValue = "0",
      description =
          "Measures the gateway with an open loop instead: calls due at this fixed rate whatever"
              + " the replies do, each one's latency taken from the time it was due; reports"
              + " p50, p99, p99.9 and errors. 0 for the closed loop of --gateway-concurrency"
              + " callers (default: ${DEFAULT-VALUE}).")
  double gatewayRate;

  @Option(
      names = "--gateway-keys",
      paramLabel = "K",
      description = "Distinct ids the gateway workload calls (default: --keys).")
  Integer gatewayKeys;

  @Option(
      names = "--checkpoint-breakdown",
      description =
          "After each gateway measurement, prints where its checkpoints spent their time (per"
              + " vertex: start delay, alignment, sync and async parts, from Flink's checkpoint"
              + " statistics) and, for exactly-once replies, how long after a checkpoint's last"
              + " acknowledgement the replies reached their callers.")
  boolean checkpointBreakdown;

  @Option(
      names = "--warmup",
      paramLabel = "RECORDS",
      defaultValue = "100000",
      description =
          "Records of a first, unmeasured run of each workload, followed by the same live"
              + " trickle, all before the first measured run, so that the measured runs meet"
              + " compiled code rather than the JIT compiler at work; 0 for none (default:"
              + " ${DEFAULT-VALUE}).")
  long warmup;

  @Option(
      names = "--live-rate",
      paramLabel = "RECORDS_PER_SECOND",
      defaultValue = "500",
      description =
          "After the backlog, records sent one by one per second to measure latency; 0 skips it"
              + " (default: ${DEFAULT-VALUE}).")
  int liveRate;

  @Option(
      names = "--live-seconds",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "How long the measured part of the live trickle lasts; its emitted p99 is also given"
              + " per 10 s, to show how latency settles after the backlog"
              + " (default: ${DEFAULT-VALUE}).")
  int liveSeconds;

  @Option(
      names = {"-D"},
      paramLabel = "KEY=VALUE",
      description =
          "A Flink or Keyflow option for the job, to compare settings, such as"
              + " -D execution.buffer-timeout.interval=10ms.")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "15 min",
      converter = FlinkDuration.class,
      description = "Longest a workload may take (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      defaultValue = ".keyflow/bench",
      description = "Broker data, checkpoints and logs (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      defaultValue = "bench-results.json",
      description = "Where the results go as JSON (default: ${DEFAULT-VALUE}).")
  Path output;

  @Override
  public Integer call() throws Exception {
    for (String workload : workloads) {
      if (!List.of("counter", "forward", "gateway").contains(workload)) {
        throw new IllegalArgumentException(
            "unknown workload '" + workload + "'; the workloads are counter, forward and gateway");
      }
    }
    if (gatewayRate < 0 || Double.isNaN(gatewayRate) || Double.isInfinite(gatewayRate)) {
      throw new IllegalArgumentException(
          "--gateway-rate: " + gatewayRate + "; expected calls a second above 0, or 0 for none");
    }
    Files.createDirectories(stateDir);
    System.setProperty("keyflow.log.file", stateDir.resolve("keyflow.log").toString());
    int kafkaPort = freePort();
    System.out.printf(
        "keyflow bench: %,d records over %,d keys, parallelism %d, checkpoints every %s%s%n",
        records,
        keys,
        parallelism,
        org.apache.flink.util.TimeUtils.formatWithHighestUnit(checkpointInterval),
        (tls ? ", functions over https with mutual TLS" : "") + (http2 ? ", HTTP/2" : ""));
    List<BenchResult> results = new ArrayList<>();
    List<GatewayResult> gatewayResults = new ArrayList<>();
    try (ChildProcess sink = traceSink ? startTraceSink() : null;
        ChildProcess broker =
            ChildProcess.start(
                "broker",
                stateDir.resolve("broker.log"),
                BrokerMain.class.getName(),
                List.of(
                    Integer.toString(kafkaPort),
                    stateDir.resolve("kafka").toAbsolutePath().toString()))) {
      BenchRun.BenchSettings settings =
          new BenchRun.BenchSettings(
              records,
              keys,
              parallelism,
              checkpointInterval,
              timeout,
              stateDir,
              liveRate,
              liveSeconds,
              pipelining,
              tls ? BenchCertificates.in(stateDir.resolve("tls")).directory() : null,
              http2,
              options);
      int functionsPort = freePort();
      try (ChildProcess functions =
          ChildProcess.start(
              "functions",
              stateDir.resolve("functions.log"),
              BenchFunctions.class.getName(),
              BenchFunctions.arguments(functionsPort, settings.tls(), http2))) {
        // One MiniCluster for all runs: starting one per run leaves the JIT compiler busy with its
        // start-up code during the measurement. Each job brings its own checkpoint settings.
        Map<String, String> clusterOptions = new LinkedHashMap<>();
        // The checkpoint breakdown reads Flink's statistics of every checkpoint of a measurement,
        // and Flink keeps those of the last 10 only by default.
        clusterOptions.put("web.checkpoints.history", "100");
        clusterOptions.putAll(options);
        try (EmbeddedFlink flink =
            EmbeddedFlink.start(
                EmbeddedConfiguration.of(
                    stateDir.resolve("checkpoints").toAbsolutePath(),
                    checkpointInterval,
                    parallelism,
                    "0",
                    clusterOptions),
                parallelism)) {
          String kafka = "127.0.0.1:" + kafkaPort;
          BenchProcesses processes =
              new BenchProcesses(kafka, broker.pid(), functionsPort, functions.pid(), flink);
          BenchRun run = new BenchRun(settings, processes);
          BenchRun warmUp = new BenchRun(settings.forWarmUp(warmup), processes);
          // Every workload warms up before any is measured: otherwise the first measured run meets
          // a JIT compiler still busy with code that the runs after it no longer pay for.
          for (String workload : workloads) {
            if (warmup > 0 && !workload.equals("gateway")) {
              String live = liveRate > 0 ? " and " + liveSeconds + " s of live load" : "";
              System.out.printf("warming up %s with %,d records%s ...%n", workload, warmup, live);
              warmUp.warmUp(workload);
            }
          }
          for (String workload : workloads) {
            if (workload.equals("gateway")) {
              GatewayBench gateway =
                  new GatewayBench(
                      gatewayKeys == null ? settings : settings.withKeys(gatewayKeys),
                      processes,
                      gatewayCalls,
                      gatewayConcurrency,
                      gatewayRate,
                      checkpointBreakdown);
              for (boolean exactlyOnce : new boolean[] {true, false}) {
                System.out.printf(
                    "running gateway (%s replies, %s) ...%n",
                    exactlyOnce ? "exactly-once" : "at-least-once",
                    gatewayRate > 0
                        ? String.format("open loop at %,.0f calls/s", gatewayRate)
                        : "closed loop");
                GatewayResult result = gateway.run(exactlyOnce);
                gatewayResults.add(result);
                System.out.println(BenchTable.gatewayRow(result));
              }
              continue;
            }
            System.out.printf("running %s ...%n", workload);
            BenchResult result = run.run(workload);
            results.add(result);
            System.out.println(BenchTable.row(result));
            System.out.println(BenchTable.steadyRow(result));
            System.out.println(BenchTable.liveRow(result));
            System.out.println(BenchTable.ceilingRow(result));
          }
        }
      }
    }
    System.out.println();
    System.out.print(BenchTable.of(results));
    gatewayResults.forEach(r -> System.out.println(BenchTable.gatewayRow(r)));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("at", Instant.now().toString());
    report.put("cores", Runtime.getRuntime().availableProcessors());
    report.put("java", System.getProperty("java.version"));
    report.put("results", results);
    report.put("gateway", gatewayResults);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(output.toFile(), report);
    System.out.println("results written to " + output);
    return results.stream().allMatch(BenchResult::correct)
            && gatewayResults.stream().allMatch(GatewayResult::correct)
        ? 0
        : 1;
  }

  /** Starts the stand-in collector and points the job's tracing at it. */
  private ChildProcess startTraceSink() throws Exception {
    int port = freePort();
    ChildProcess sink =
        ChildProcess.start(
            "trace-sink",
            stateDir.resolve("trace-sink.log"),
            TraceSinkMain.class.getName(),
            List.of(
                Integer.toString(port),
                stateDir.resolve("trace-sink.txt").toAbsolutePath().toString()));
    options.put("keyflow.tracing.endpoint", "http://127.0.0.1:" + port + "/v1/traces");
    return sink;
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
