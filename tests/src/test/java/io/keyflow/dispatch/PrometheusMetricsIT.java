package io.keyflow.dispatch;

import static io.keyflow.testing.TestFunctions.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.flink.FunctionFigures;
import io.keyflow.cli.flink.FunctionMetrics;
import io.keyflow.functions.FunctionServer;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.testing.CollectingEgress;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.PrometheusScrape;
import io.keyflow.testing.TestFunctions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyflow's metrics as an operator's Prometheus sees them: a MiniCluster with Flink's Prometheus
 * reporter runs a known workload against real SDK functions, and a scrape over HTTP finds every
 * per-function and dispatcher metric with the value the workload implies (counts exact, histograms
 * non-empty).
 *
 * <p>The workload: 20 pings of 3 rounds (each ping id is hit 4 times, its pong 3 times; 60 messages
 * each way, local or round the feedback loop as the ids fall), 5 messages to a function that sends
 * itself a message due in an hour, and 1 message to a function whose endpoint rejects every call
 * (400), dead-lettered after 2 calls.
 */
class PrometheusMetricsIT {
  private static final int PARALLELISM = 2;
  private static final int PINGS = 20;
  private static final int ROUNDS = 3;
  private static final int DELAYS = 5;
  private static final int PROMETHEUS_PORT = freePort();
  private static final String FUNCTIONS = "flink_taskmanager_job_task_operator_functions_metrics_";
  private static final String OPERATOR = "flink_taskmanager_job_task_operator_";

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(PARALLELISM)
              .setConfiguration(reporter())
              .build());

  private static FunctionServer functions;
  private static HttpServer broken;

  @TempDir Path checkpoints;

  @BeforeAll
  static void startFunctions() throws IOException {
    functions =
        FunctionServer.start(
            TestFunctions.of(
                    TestFunctions.pingPong("metrics", true),
                    TestFunctions.pingPong("metrics", false),
                    delayer())
                .requestReplyHandler(),
            "127.0.0.1",
            0);
    broken = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    broken.createContext(
        "/",
        exchange -> {
          byte[] body = "rejected".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(400, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    broken.start();
  }

  @AfterAll
  static void stopFunctions() {
    functions.close();
    broken.stop(0);
  }

  @Test
  void aScrapeAfterAKnownWorkloadFindsEveryMetricWithItsValue(
      @InjectClusterClient ClusterClient<?> cluster) throws Exception {
    List<Envelope> input = new ArrayList<>();
    for (int i = 0; i < PINGS; i++) {
      input.add(message("metrics", "ping", "p-" + i, Integer.toString(ROUNDS)));
    }
    for (int i = 0; i < DELAYS; i++) {
      input.add(message("metrics", "delayer", "d-" + i, "later"));
    }
    input.add(message("metrics", "broken", "b-0", "x"));
    GeneratedIngress ingress =
        GeneratedIngress.of(input.size(), i -> input.get(i.intValue())).lingering();
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, PARALLELISM, Duration.ofMillis(500)),
            module(),
            ingress,
            out);
    try {
      Map<String, Long> expectedReports = new java.util.HashMap<>();
      for (int i = 0; i < PINGS; i++) {
        expectedReports.put("p-" + i, (long) ROUNDS + 1);
        expectedReports.put("q-" + i, (long) ROUNDS);
      }
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(2), () -> out.maxReported().equals(expectedReports));
      URI url = URI.create("http://127.0.0.1:" + PROMETHEUS_PORT + "/metrics");
      KeyflowTestJob.awaitWhileRunning(
          job, Duration.ofMinutes(1), () -> settled(PrometheusScrape.of(url)));

      PrometheusScrape scrape = PrometheusScrape.of(url);
      int hits = PINGS * (ROUNDS + 1);
      int returns = PINGS * ROUNDS;
      assertCount(scrape, "ping", FunctionTypeMetrics.IN, hits);
      assertCount(scrape, "pong", FunctionTypeMetrics.IN, returns);
      assertCount(scrape, "delayer", FunctionTypeMetrics.IN, DELAYS);
      assertCount(scrape, "broken", FunctionTypeMetrics.IN, 1);
      assertThat(
              perType(scrape, "ping", FunctionTypeMetrics.OUT_LOCAL)
                  + perType(scrape, "ping", FunctionTypeMetrics.OUT_REMOTE))
          .isEqualTo(returns);
      assertThat(
              perType(scrape, "pong", FunctionTypeMetrics.OUT_LOCAL)
                  + perType(scrape, "pong", FunctionTypeMetrics.OUT_REMOTE))
          .isEqualTo(returns);
      assertCount(scrape, "ping", FunctionTypeMetrics.OUT_EGRESS, hits);
      assertCount(scrape, "pong", FunctionTypeMetrics.OUT_EGRESS, returns);
      assertCount(scrape, "delayer", FunctionTypeMetrics.OUT_EGRESS, 0);
      assertCount(scrape, "delayer", FunctionTypeMetrics.DELAYED_PENDING, DELAYS);
      assertCount(scrape, "broken", FunctionTypeMetrics.FAILURES, 2);
      assertCount(scrape, "broken", FunctionTypeMetrics.DEAD_LETTERS, 1);
      assertCount(scrape, "broken", FunctionTypeMetrics.BATCH_SIZE + "_count", 2);
      assertCount(scrape, "ping", FunctionTypeMetrics.FAILURES, 0);
      for (String type : List.of("ping", "pong", "delayer", "broken")) {
        for (String idle :
            List.of(
                FunctionTypeMetrics.INFLIGHT_ASYNC_OPS,
                FunctionTypeMetrics.BACKLOG,
                FunctionTypeMetrics.BLOCKED_ADDRESSES,
                FunctionTypeMetrics.HELD_CALLS,
                FunctionTypeMetrics.ENDPOINT_DOWN)) {
          assertCount(scrape, type, idle, 0);
        }
        for (String name : FunctionTypeMetrics.NAMES) {
          assertThat(scrape.has(FUNCTIONS + type + "_" + name))
              .as("%s of %s is scraped", name, type)
              .isTrue();
        }
        assertThat(perType(scrape, type, FunctionTypeMetrics.BATCH_SIZE + "_count"))
            .as("batch sizes of %s", type)
            .isPositive();
      }
      for (String type : List.of("ping", "pong", "delayer")) {
        assertThat(perType(scrape, type, FunctionTypeMetrics.LATENCY + "_count"))
            .as("latencies of %s", type)
            .isPositive();
        assertThat(
                scrape.samples(FUNCTIONS + type + "_" + FunctionTypeMetrics.LATENCY).stream()
                    .filter(s -> s.labels().contains("quantile=\"0.99\""))
                    .toList())
            .isNotEmpty();
      }

      int invocations = hits + returns + DELAYS + 1;
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.INVOCATIONS)).isEqualTo(invocations);
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.MESSAGES_TO_FUNCTIONS))
          .isEqualTo(2 * returns);
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.EGRESS_RECORDS)).isEqualTo(hits + returns);
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.DELAYED_MESSAGES)).isEqualTo(DELAYS);
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.FAILED_CALLS)).isEqualTo(2);
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.DEAD_LETTERS)).isEqualTo(1);
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.INFLIGHT_ASYNC_OPS)).isZero();
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.ENDPOINTS_DOWN)).isZero();
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.OUTSTANDING_REQUESTS)).isZero();
      assertThat(scrape.sum(OPERATOR + DispatcherMetrics.REQUESTS))
          .isGreaterThanOrEqualTo(invocations / 4.0);
      assertThat(scrape.has(OPERATOR + DispatcherMetrics.CANCELLATIONS_UNMATCHED)).isTrue();
      assertThat(scrape.has(OPERATOR + DispatcherMetrics.UNKNOWN_EGRESS_RECORDS)).isTrue();
      assertThat(scrape.has(OPERATOR + "endpoint_" + DispatcherMetrics.ENDPOINT_DOWN)).isTrue();

      // Every message sent to another subtask came round the feedback loop, and only those.
      double remote =
          perType(scrape, "ping", FunctionTypeMetrics.OUT_REMOTE)
              + perType(scrape, "pong", FunctionTypeMetrics.OUT_REMOTE);
      assertThat(scrape.sum(OPERATOR + "keyflowLoopedMessages")).isEqualTo(remote);
      assertThat(scrape.sum(OPERATOR + "feedback_produced")).isEqualTo(remote);
      assertThat(scrape.has(OPERATOR + "feedback_producedRate")).isTrue();
      // Only a checkpoint's sentinel (one per head subtask) can still be in the channel.
      assertThat(scrape.sum(OPERATOR + "keyflowFeedbackQueued")).isBetween(0.0, 1.0 * PARALLELISM);
      assertThat(scrape.sum(OPERATOR + "keyflowFeedbackSpilled")).isZero();
      assertThat(scrape.sum(OPERATOR + "keyflowFeedbackSpilledBytes")).isZero();

      // keyflow status reads the same metrics from Flink's REST API.
      FunctionMetrics rest =
          new FunctionMetrics(new FlinkRest(URI.create(cluster.getWebInterfaceURL())));
      String jobId = job.getJobID().toString();
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(1),
          () ->
              rest.of(jobId).stream()
                  .anyMatch(f -> f.function().equals("metrics/broken") && f.deadLetters() == 1));
      List<FunctionFigures> table = rest.of(jobId);
      assertThat(table)
          .extracting(FunctionFigures::function)
          .containsExactly("metrics/broken", "metrics/delayer", "metrics/ping", "metrics/pong");
      assertThat(table).allSatisfy(f -> assertThat(f.endpointDown()).isFalse());
      assertThat(table).allSatisfy(f -> assertThat(f.backlog()).isZero());
      FunctionFigures ping = table.get(2);
      assertThat(ping.latencyP99Millis()).isGreaterThanOrEqualTo(ping.latencyP50Millis());
      assertThat(FunctionMetrics.busiest(table)).isNotNull();
    } finally {
      KeyflowTestJob.cancel(job);
    }
  }

  /** Whether the counters the workload ends with have reached their values. */
  private static boolean settled(PrometheusScrape scrape) {
    return perType(scrape, "pong", FunctionTypeMetrics.OUT_EGRESS) == PINGS * ROUNDS
        && perType(scrape, "broken", FunctionTypeMetrics.DEAD_LETTERS) == 1
        && perType(scrape, "delayer", FunctionTypeMetrics.DELAYED_PENDING) == DELAYS
        && perType(scrape, "ping", FunctionTypeMetrics.INFLIGHT_ASYNC_OPS) == 0;
  }

  private static double perType(PrometheusScrape scrape, String type, String name) {
    return scrape.sum(FUNCTIONS + type + "_" + name);
  }

  private static void assertCount(PrometheusScrape scrape, String type, String name, long count) {
    assertThat(scrape.has(FUNCTIONS + type + "_" + name))
        .as("%s of metrics/%s is scraped", name, type)
        .isTrue();
    assertThat(perType(scrape, type, name)).as("%s of metrics/%s", name, type).isEqualTo(count);
  }

  private String module() {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: metrics/broken
          urlPathTemplate: http://127.0.0.1:%d/{function.name}
          transport:
            call: 30s
          failures:
            policy: dead-letter
            maxAttempts: 2
        ---
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: metrics/*
          urlPathTemplate: %s/statefun/{function.name}
          transport:
            call: 60s
        """
        .formatted(broken.getAddress().getPort(), functions.baseUrl());
  }

  /** Sends itself a message due in an hour for every message: pending for the whole test. */
  private static StatefulFunctionSpec delayer() {
    TypeName self = TypeName.typeNameOf("metrics", "delayer");
    return StatefulFunctionSpec.builder(self)
        .withSupplier(
            () ->
                (context, message) -> {
                  context.sendAfter(
                      Duration.ofHours(1),
                      MessageBuilder.forAddress(self, context.self().id())
                          .withValue("due")
                          .build());
                  return context.done();
                })
        .build();
  }

  private static Configuration reporter() {
    Configuration conf = new Configuration();
    conf.setString(
        "metrics.reporter.prom.factory.class",
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    conf.setString("metrics.reporter.prom.port", Integer.toString(PROMETHEUS_PORT));
    conf.setString("metrics.fetcher.update-interval", "1 s");
    return conf;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
