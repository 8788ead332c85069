package io.keyflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.io.gateway.GatewaySpec;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.protocol.gateway.GatewayReply;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.NodeFunctionServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP gateway against a real broker and a Keyflow job on a MiniCluster: two gateway instances
 * in front of one job with exactly-once replies, functions on the StateFun Java and JavaScript
 * SDKs.
 */
@ExtendWith(KafkaBroker.class)
class GatewayIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final String TEXT = "gw.types/text";
  private static final Duration CALL_WAIT = Duration.ofSeconds(60);

  @TempDir static Path checkpoints;

  private static final GatewayFunctions FUNCTIONS = new GatewayFunctions();
  private static final AtomicBoolean FAIL_NOW = new AtomicBoolean();
  private static FailurePlan plan;
  private static FunctionServer server;
  private static NodeFunctionServer javascript;
  private static JobClient job;
  private static Gateway first;
  private static Gateway second;
  private static String replyTopic;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() throws Exception {
    String suffix = Long.toString(System.nanoTime());
    String requestTopic = "gw-calls-" + suffix;
    replyTopic = "gw-replies-" + suffix;
    KafkaBroker.createTopic(requestTopic, 2);
    KafkaBroker.createTopic(replyTopic, 2);
    server = FunctionServer.start(FUNCTIONS.all(Duration.ofSeconds(3)), "127.0.0.1", 0);
    javascript = NodeFunctionServer.start("reply-server.js", "gwjs");
    String yaml =
        String.join(
            "\n",
            "kind: io.statefun.endpoints.v2/http",
            "spec:",
            "  functions: gw/*",
            "  urlPathTemplate: " + server.baseUrl() + "/{function.name}",
            "---",
            "kind: io.statefun.endpoints.v2/http",
            "spec:",
            "  functions: gwjs/*",
            "  urlPathTemplate: " + javascript.baseUrl() + "/{function.name}",
            "---",
            "kind: io.keyflow.gateway.v1/http",
            "spec:",
            "  id: gw/gateway",
            "  address: " + KafkaBroker.bootstrapServers(),
            "  listen: 127.0.0.1:0",
            "  requestTopic: " + requestTopic,
            "  replyTopic: " + replyTopic,
            "  timeouts:",
            "    wait: 2 s",
            "    maxWait: 2 min",
            "  idempotencyTtl: 1 h",
            "  functions: [gw/counter, gw/slow, gw/flaky, gwjs/*]",
            "  limits:",
            "    maxBodyBytes: 1024",
            "");
    plan =
        FailurePlan.register(
            "gateway",
            new FailurePlan() {
              @Override
              protected boolean shouldFail(long records, int checkpointsDone) {
                return FAIL_NOW.get() && failures() == 0;
              }
            });
    job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(500)),
            yaml,
            List.of(GeneratedIngress.of(0, i -> null).lingering().failing("gateway")),
            List.of());
    Module module = ModuleLoader.parse("module.yaml", yaml);
    GatewaySpec spec = Gateway.declaredIn(module).orElseThrow();
    first = Gateway.start(spec, module, Duration.ofSeconds(30));
    second = Gateway.start(spec, module, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    if (first != null) {
      first.close();
    }
    if (second != null) {
      second.close();
    }
    if (job != null) {
      KeyflowTestJob.cancel(job);
    }
    server.close();
    if (javascript != null) {
      javascript.close();
    }
    FUNCTIONS.close();
  }

  @Test
  void aThousandConcurrentCallsToAHundredIdsEachGetTheirOwnReply() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Gateway via = i % 2 == 0 ? first : second;
      calls.add(
          HTTP.sendAsync(
              call(via, "gw/counter/id-" + (i % 100), "?wait=2min", "call-" + i).build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    Map<String, Set<Long>> countsPerId = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      HttpResponse<String> response = calls.get(i).get(3, TimeUnit.MINUTES);
      assertThat(response.statusCode()).as("call %d: %s", i, response.body()).isEqualTo(200);
      assertThat(response.headers().firstValue("X-Keyflow-Type")).hasValue(TEXT);
      String[] reply = response.body().split("\\|");
      assertThat(reply[0]).as("the reply to call %d", i).isEqualTo("call-" + i);
      countsPerId
          .computeIfAbsent("id-" + (i % 100), id -> new TreeSet<>())
          .add(Long.parseLong(reply[1]));
    }
    Set<Long> oneToTen = LongStream.rangeClosed(1, 10).boxed().collect(Collectors.toSet());
    assertThat(countsPerId).hasSize(100);
    countsPerId.forEach((id, counts) -> assertThat(counts).as(id).isEqualTo(oneToTen));
  }

  @Test
  void aJavaScriptFunctionAnswersByReplyingToItsCaller() throws Exception {
    HttpResponse<String> first =
        send(call(GatewayIT.first, "gwjs/greeter/js", "?wait=60s", "world").build());
    HttpResponse<String> again =
        send(call(second, "gwjs/greeter/js", "?wait=60s", "again").build());

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(first.body()).isEqualTo("hello world, call 1");
    assertThat(again.body()).isEqualTo("hello again, call 2");
  }

  @Test
  void aSlowCallIsAnswered202AndItsReplyIsFetchedByIdLater() throws Exception {
    HttpResponse<String> accepted =
        send(call(first, "gw/slow/s1", "?wait=500ms", "slow call").build());
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String invocation = accepted.headers().firstValue("X-Keyflow-Invocation-Id").orElseThrow();
    assertThat(accepted.headers().firstValue("Location")).hasValue("/v1/invocations/" + invocation);
    assertThat(accepted.body()).contains("\"invocationId\":\"" + invocation + "\"");

    HttpResponse<String> fetched = send(get(second, "/v1/invocations/" + invocation + "?wait=60s"));
    assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
    assertThat(fetched.body()).isEqualTo("slow call|1");
    // Kept: fetching again gives the same reply without waiting.
    assertThat(send(get(second, "/v1/invocations/" + invocation)).body()).isEqualTo("slow call|1");
  }

  @Test
  void theSameIdempotencyKeyTwiceInvokesOnce() throws Exception {
    HttpResponse<String> once =
        send(call(first, "gw/counter/idem", "", "pay 10").header("Idempotency-Key", "k-1").build());
    HttpResponse<String> retried =
        send(
            call(second, "gw/counter/idem", "", "pay 10").header("Idempotency-Key", "k-1").build());
    assertThat(once.statusCode()).as(once.body()).isEqualTo(200);
    assertThat(once.body()).isEqualTo("pay 10|1");
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(retried.body()).isEqualTo("pay 10|1");
    assertThat(retried.headers().firstValue("X-Keyflow-Invocation-Id"))
        .isEqualTo(once.headers().firstValue("X-Keyflow-Invocation-Id"));

    // Another key is another call.
    HttpResponse<String> fresh =
        send(call(first, "gw/counter/idem", "", "pay 20").header("Idempotency-Key", "k-2").build());
    assertThat(fresh.body()).isEqualTo("pay 20|2");
    assertThat(FUNCTIONS.count("counter", "idem")).isEqualTo(2);
  }

  @Test
  void aRetryWrittenWhileTheFirstCallRunsIsDroppedByTheJob() throws Exception {
    CompletableFuture<HttpResponse<String>> slow =
        HTTP.sendAsync(
            call(first, "gw/slow/idem", "?wait=60s", "once").header("Idempotency-Key", "s").build(),
            HttpResponse.BodyHandlers.ofString());
    awaitInvocations("slow", "idem", 1);
    HttpResponse<String> retry =
        send(
            call(second, "gw/slow/idem", "?wait=60s", "once")
                .header("Idempotency-Key", "s")
                .build());
    assertThat(retry.body()).isEqualTo("once|1");
    assertThat(slow.get(1, TimeUnit.MINUTES).body()).isEqualTo("once|1");
    assertThat(FUNCTIONS.count("slow", "idem")).isEqualTo(1);
  }

  @Test
  void anIdempotencyKeyReusedWithAnotherBodyWhileTheFirstCallRunsIs422AndNeverReachesTheFunction()
      throws Exception {
    CompletableFuture<HttpResponse<String>> slow =
        HTTP.sendAsync(
            call(first, "gw/slow/reuse", "?wait=60s", "pay 10")
                .header("Idempotency-Key", "r")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    awaitInvocations("slow", "reuse", 1);

    HttpResponse<String> reused =
        send(
            call(second, "gw/slow/reuse", "?wait=60s", "pay 99")
                .header("Idempotency-Key", "r")
                .build());

    assertThat(reused.statusCode()).as(reused.body()).isEqualTo(422);
    assertThat(reused.body()).doesNotContain("pay 10");
    assertThat(slow.get(1, TimeUnit.MINUTES).body()).isEqualTo("pay 10|1");
    // The next call to the address, written after the reused key's, counts 2: "pay 99" never ran.
    assertThat(send(call(first, "gw/slow/reuse", "?wait=60s", "next").build()).body())
        .isEqualTo("next|2");
  }

  @Test
  void sendOnlyAcceptsAndTheReplyCanBeFetched() throws Exception {
    HttpResponse<String> accepted = send(call(first, "gw/counter/fire/send", "", "go").build());
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String invocation = accepted.headers().firstValue("X-Keyflow-Invocation-Id").orElseThrow();
    HttpResponse<String> fetched = send(get(second, "/v1/invocations/" + invocation + "?wait=60s"));
    assertThat(fetched.body()).isEqualTo("go|1");
  }

  @Test
  void theStatusShowsAHealthyInstanceAndWhatItDid() throws Exception {
    assertThat(send(call(first, "gw/counter/status", "", "s").build()).statusCode()).isEqualTo(200);

    HttpResponse<String> status = send(get(first, "/v1/status"));

    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(status.body())
        .contains(
            "\"gateway\":\"gw/gateway\"",
            "\"replies\":\"exactly-once\"",
            "\"readingReplies\":true",
            "\"caughtUp\":true",
            "\"waitingCalls\":0")
        .doesNotContain("\"callsWritten\":0,", "\"repliesRead\":0}");
  }

  @Test
  void badRequestsGetClearErrors() throws Exception {
    HttpResponse<String> unknown = send(call(first, "other/nope/x", "", "hi").build());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body())
        .contains("does not expose function type other/nope")
        .doesNotContain("gw/*");

    HttpResponse<String> hidden = send(call(first, "gw/hidden/x", "", "hi").build());
    assertThat(hidden.statusCode()).isEqualTo(404);
    assertThat(hidden.body())
        .contains("does not expose function type gw/hidden")
        .doesNotContain("gw/counter");

    HttpResponse<String> noType =
        send(
            HttpRequest.newBuilder(URI.create(first.baseUrl() + "/v1/functions/gw/counter/x"))
                .POST(HttpRequest.BodyPublishers.ofString("hi"))
                .build());
    assertThat(noType.statusCode()).isEqualTo(400);
    assertThat(noType.body()).contains("X-Keyflow-Type");

    HttpResponse<String> noId = send(call(first, "gw/counter/", "", "hi").build());
    assertThat(noId.statusCode()).isEqualTo(400);
    assertThat(noId.body()).contains("no function id");

    HttpResponse<String> tooLarge = send(call(first, "gw/counter/x", "", "x".repeat(2000)).build());
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.body()).contains("limits.maxBodyBytes", "1024");

    HttpResponse<String> badWait = send(call(first, "gw/counter/x", "?wait=soon", "hi").build());
    assertThat(badWait.statusCode()).isEqualTo(400);
    assertThat(badWait.body()).contains("wait=soon");

    HttpResponse<String> tooLong = send(call(first, "gw/counter/x", "?wait=1h", "hi").build());
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.body()).contains("timeouts.maxWait");

    HttpResponse<String> unknownInvocation = send(get(second, "/v1/invocations/nothing"));
    assertThat(unknownInvocation.statusCode()).isEqualTo(404);
    assertThat(unknownInvocation.body()).contains("no reply to invocation nothing");
    assertThat(FUNCTIONS.count("counter", "x")).isZero();
  }

  @Test
  void aJobFailureBetweenRequestAndReplyYieldsOneReplyAndOneStateChange() throws Exception {
    FUNCTIONS.beforeFlakyAnswer =
        () -> {
          FAIL_NOW.set(true);
          long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
          try {
            while (plan.failures() == 0 && System.nanoTime() < deadline) {
              Thread.sleep(10);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    HttpResponse<String> reply =
        send(call(first, "gw/flaky/f1", "?wait=2min", "important").build());
    assertThat(plan.failures()).as("the job failed while the call was in flight").isEqualTo(1);
    assertThat(FUNCTIONS.count("flaky", "f1")).as("invoked again after the restart").isEqualTo(2);
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("important|1");
    String invocation = reply.headers().firstValue("X-Keyflow-Invocation-Id").orElseThrow();

    // One state change: the next call counts 2.
    assertThat(send(call(second, "gw/flaky/f1", "?wait=2min", "next").build()).body())
        .isEqualTo("next|2");
    // One reply: the committed reply topic holds the invocation once.
    try (CommittedTopicReader replies = new CommittedTopicReader(replyTopic)) {
      List<String> forCall = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> record : replies.records()) {
        if (new String(record.key(), StandardCharsets.UTF_8).equals(invocation)) {
          forCall.add(GatewayReply.parseFrom(record.value()).getValue().getValue().toStringUtf8());
        }
      }
      assertThat(forCall).containsExactly("important|1");
    }
  }

  private static void awaitInvocations(String type, String id, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (FUNCTIONS.count(type, id) < n) {
      assertThat(System.nanoTime()).as("%s/%s invoked %d times", type, id, n).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static HttpRequest.Builder call(Gateway via, String path, String query, String body) {
    return HttpRequest.newBuilder(URI.create(via.baseUrl() + "/v1/functions/" + path + query))
        .header("X-Keyflow-Type", TEXT)
        .timeout(Duration.ofMinutes(3))
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpRequest get(Gateway via, String path) {
    return HttpRequest.newBuilder(URI.create(via.baseUrl() + path))
        .timeout(Duration.ofMinutes(3))
        .GET()
        .build();
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
