package io.keyflow.cli.bench;

import io.keyflow.cli.run.EmbeddedFlink;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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
 * The {@code gateway} workload: a closed loop of HTTP calls through a gateway in this process to
 * {@code bench/counter}, each waiting for the function's reply, once with exactly-once and once
 * with at-least-once replies.
 */
final class GatewayBench {
  private final BenchRun.BenchSettings settings;
  private final String bootstrapServers;
  private final int functionsPort;
  private final EmbeddedFlink flink;
  private final long calls;
  private final int concurrency;

  GatewayBench(
      BenchRun.BenchSettings settings, BenchProcesses processes, long calls, int concurrency) {
    this.settings = settings;
    this.bootstrapServers = processes.bootstrapServers();
    this.functionsPort = processes.functionsPort();
    this.flink = processes.flink();
    this.calls = calls;
    this.concurrency = concurrency;
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
      loop(http, gateway, "w", Math.max(concurrency * 10L, calls / 5), new long[0]);
      long[] latencies = new long[(int) calls];
      long started = System.nanoTime();
      String problem = loop(http, gateway, "m", calls, latencies);
      double seconds = (System.nanoTime() - started) / 1e9;
      return new GatewayResult(
          replies,
          calls,
          concurrency,
          calls / seconds,
          Percentiles.millis(latencies, 50),
          Percentiles.millis(latencies, 99),
          problem == null,
          problem);
    } finally {
      flink.cancel(job, Duration.ofSeconds(30));
    }
  }

  /**
   * Makes {@code n} calls, {@code concurrency} at a time, recording each one's latency in {@code
   * latencies} (if it has room); returns the first wrong answer, or null.
   */
  private String loop(HttpClient http, Gateway gateway, String tag, long n, long[] latencies)
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
                    HttpRequest request =
                        HttpRequest.newBuilder(
                                URI.create(gateway.baseUrl() + "/v1/functions/bench/counter/" + id))
                            .header("X-Keyflow-Type", "bench.types/raw")
                            .timeout(settings.timeout())
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build();
                    long sent = System.nanoTime();
                    HttpResponse<String> response =
                        http.send(request, HttpResponse.BodyHandlers.ofString());
                    long took = System.nanoTime() - sent;
                    if (i < latencies.length) {
                      latencies[(int) i] = took;
                    }
                    if (response.statusCode() != 200
                        || !response.body().startsWith(id + "=")
                        || !response.body().endsWith("|" + body)) {
                      problem.compareAndSet(
                          null,
                          "call "
                              + body
                              + " to "
                              + id
                              + " got "
                              + response.statusCode()
                              + ": "
                              + response.body());
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
