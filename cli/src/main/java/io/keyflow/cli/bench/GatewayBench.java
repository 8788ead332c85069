package io.keyflow.cli.bench;

import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.run.EmbeddedFlink;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobID;

/**
 * The {@code gateway} workload: HTTP calls through a gateway in this process to {@code
 * bench/counter}, each waiting for the function's reply, once with exactly-once and once with
 * at-least-once replies. The calls come from a closed loop of callers, or, given a rate, from an
 * open loop ({@link OpenLoop}).
 */
final class GatewayBench {
  private final BenchRun.BenchSettings settings;
  private final String bootstrapServers;
  private final int functionsPort;
  private final EmbeddedFlink flink;
  private final long calls;
  private final int concurrency;
  private final double rate;
  private final boolean breakdown;

  /**
   * @param rate calls a second of an open loop; 0 for a closed loop of {@code concurrency} callers
   * @param breakdown whether to read where the checkpoints' time went during the measured calls
   */
  GatewayBench(
      BenchRun.BenchSettings settings,
      BenchProcesses processes,
      long calls,
      int concurrency,
      double rate,
      boolean breakdown) {
    this.settings = settings;
    this.bootstrapServers = processes.bootstrapServers();
    this.functionsPort = processes.functionsPort();
    this.flink = processes.flink();
    this.calls = calls;
    this.concurrency = concurrency;
    this.rate = rate;
    this.breakdown = breakdown;
  }

  GatewayResult run(boolean exactlyOnce) throws Exception {
    String replies = exactlyOnce ? "exactly-once" : "at-least-once";
    String suffix = "gateway-" + replies + "-" + UUID.randomUUID();
    String callTopic = "bench-calls-" + suffix;
    String replyTopic = "bench-replies-" + suffix;
    String out = "bench-out-" + suffix;
    BenchRun.createTopics(bootstrapServers, settings.parallelism(), callTopic, replyTopic, out);
    Module module =
        ModuleLoader.parse("gateway benchmark module", module(callTopic, replyTopic, out, replies));
    JobID job =
        flink.submit(
            BenchRun.jobGraph(settings, suffix, module, "keyflow-bench-gateway-" + replies));
    try (Gateway gateway =
        Gateway.start(Gateway.declaredIn(module).orElseThrow(), module, Duration.ofSeconds(30))) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      // Warm-up: the job's first checkpoint, connections, the JIT.
      closedLoop(
          http,
          gateway,
          "w",
          Math.max(concurrency * 10L, calls / 5),
          new long[0],
          null,
          new AtomicLong());
      long from = System.currentTimeMillis();
      Measured measured =
          rate > 0 ? openLoop(http, gateway, replies) : closedLoop(http, gateway, replies);
      if (!breakdown) {
        return measured.result();
      }
      CheckpointBreakdown checkpoints =
          CheckpointStats.read(
              new FlinkRest(flink.restAddress()),
              job.toString(),
              from,
              System.currentTimeMillis(),
              exactlyOnce ? measured.repliedAtMillis() : null);
      System.out.print(checkpoints.text());
      return withCheckpoints(measured.result(), checkpoints);
    } finally {
      flink.cancel(job, Duration.ofSeconds(30));
    }
  }

  /** A measurement, with when its calls got their replies (epoch ms) for the breakdown. */
  private record Measured(GatewayResult result, long[] repliedAtMillis) {}

  private Measured openLoop(HttpClient http, Gateway gateway, String replies) throws Exception {
    OpenLoop.Outcome outcome =
        new OpenLoop(http, gateway.baseUrl(), settings.keys(), settings.timeout())
            .run(new ArrivalSchedule(rate, calls), "m");
    LatencyReport l = outcome.latencies();
    GatewayResult result =
        new GatewayResult(
            replies,
            "open",
            calls,
            outcome.maxInFlight(),
            rate,
            outcome.answeredPerSecond(),
            l.p50Millis(),
            l.p99Millis(),
            l.p999Millis(),
            l.maxMillis(),
            outcome.errors(),
            outcome.errors() == 0,
            outcome.problem(),
            null);
    return new Measured(result, outcome.answeredAtMillis());
  }

  private Measured closedLoop(HttpClient http, Gateway gateway, String replies) throws Exception {
    long[] latencies = new long[(int) calls];
    long[] repliedAt = new long[(int) calls];
    long started = System.nanoTime();
    AtomicLong errors = new AtomicLong();
    String problem = closedLoop(http, gateway, "m", calls, latencies, repliedAt, errors);
    double seconds = (System.nanoTime() - started) / 1e9;
    LatencyReport l = LatencyReport.of(latencies, latencies.length);
    GatewayResult result =
        new GatewayResult(
            replies,
            "closed",
            calls,
            concurrency,
            0,
            calls / seconds,
            l.p50Millis(),
            l.p99Millis(),
            l.p999Millis(),
            l.maxMillis(),
            errors.get(),
            problem == null,
            problem,
            null);
    return new Measured(result, repliedAt);
  }

  private static GatewayResult withCheckpoints(GatewayResult r, CheckpointBreakdown checkpoints) {
    return new GatewayResult(
        r.replies(),
        r.arrivals(),
        r.calls(),
        r.concurrency(),
        r.targetCallsPerSecond(),
        r.callsPerSecond(),
        r.p50Millis(),
        r.p99Millis(),
        r.p999Millis(),
        r.maxMillis(),
        r.errors(),
        r.correct(),
        r.problem(),
        checkpoints);
  }

  /**
   * Makes {@code n} calls, {@code concurrency} at a time, recording each one's latency in {@code
   * latencies} and the time of its reply (epoch ms) in {@code repliedAt} (if they have room),
   * counting wrong answers in {@code errors}; returns the first wrong answer, or null.
   */
  private String closedLoop(
      HttpClient http,
      Gateway gateway,
      String tag,
      long n,
      long[] latencies,
      long[] repliedAt,
      AtomicLong errors)
      throws Exception {
    AtomicLong next = new AtomicLong();
    AtomicReference<String> problem = new AtomicReference<>();
    ExecutorService callers = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < concurrency; c++) {
        done.add(
            callers.submit(
                () -> {
                  for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    String id = "k-" + (i % settings.keys());
                    String body = tag + "-" + i;
                    long sent = System.nanoTime();
                    HttpResponse<String> response =
                        http.send(
                            GatewayCall.request(gateway.baseUrl(), id, body, settings.timeout()),
                            HttpResponse.BodyHandlers.ofString());
                    long took = System.nanoTime() - sent;
                    if (i < latencies.length) {
                      latencies[(int) i] = took;
                    }
                    if (repliedAt != null && i < repliedAt.length) {
                      repliedAt[(int) i] = System.currentTimeMillis();
                    }
                    String wrong = GatewayCall.problem(response, id, body);
                    if (wrong != null) {
                      errors.incrementAndGet();
                      problem.compareAndSet(null, wrong);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      callers.shutdownNow();
    }
    return problem.get();
  }

  private String module(String callTopic, String replyTopic, String out, String replies) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: bench/*
          urlPathTemplate: %s://127.0.0.1:%d/{function.name}
          headers:
            %s: %s%s
        ---
        kind: io.keyflow.gateway.v1/http
        spec:
          id: bench/gateway
          address: %s
          listen: 127.0.0.1:0
          requestTopic: %s
          replyTopic: %s
          replies: %s
          functions: [bench/counter]
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: bench/out
          address: %s
        """
        .formatted(
            settings.scheme(),
            functionsPort,
            BenchFunctions.OUT_TOPIC_HEADER,
            out,
            settings.tls() == null && !settings.http2()
                ? ""
                : "\n  transport:"
                    + BenchRun.tlsTransport(settings)
                    + (settings.http2() ? "\n    protocol: http2" : ""),
            bootstrapServers,
            callTopic,
            replyTopic,
            replies,
            bootstrapServers);
  }
}
