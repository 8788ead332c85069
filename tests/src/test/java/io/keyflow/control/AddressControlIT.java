package io.keyflow.control;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.examples.shop.ShopApp;
import io.keyflow.examples.shop.ShopSettings;
import io.keyflow.functions.FunctionServer;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.io.gateway.GatewaySpec;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestFunctions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inspection and control of single addresses through the gateway's admin routes, against a real
 * broker, a Keyflow job on a MiniCluster (parallelism 2, RocksDB) and the example shop's functions
 * on the StateFun Java SDK, beside a test function that writes every message it gets to a topic.
 * The function server notes every invocation, so a test can tell that inspection never calls a
 * function.
 */
@ExtendWith(KafkaBroker.class)
class AddressControlIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final String TOKEN = "admin-secret-for-tests";
  private static final Duration APPROVAL_TIMEOUT = Duration.ofSeconds(8);
  private static final Duration AWAIT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** Invocations per address ({@code namespace/type/id}): the typename of each message. */
  private static final Map<String, List<String>> INVOKED = new ConcurrentHashMap<>();

  private static final AtomicLong FAIL_AFTER_CHECKPOINT = new AtomicLong(Long.MAX_VALUE);
  private static final AtomicInteger FAILURES_WANTED = new AtomicInteger();

  /** Released by a test to let the held function's calls answer. */
  private static final CompletableFuture<Void> HELD = new CompletableFuture<>();

  @TempDir static Path work;

  private static String suffix;
  private static String in;
  private static String keep;
  private static String held;
  private static String log;
  private static String deadLetters;
  private static FailurePlan plan;
  private static FunctionServer server;
  private static JobClient job;
  private static Gateway gateway;
  private static Gateway withoutAdmin;

  @BeforeAll
  static void start() throws Exception {
    suffix = Long.toString(System.nanoTime());
    in = "ctl-in-" + suffix;
    keep = "ctl-keep-" + suffix;
    held = "ctl-held-" + suffix;
    log = "ctl-log-" + suffix;
    deadLetters = "ctl-dlq-" + suffix;
    String requests = "ctl-calls-" + suffix;
    String replies = "ctl-replies-" + suffix;
    for (String topic : List.of(in, keep, held, requests, replies)) {
      KafkaBroker.createTopic(topic, 2);
    }
    // One partition each: the order of what a function wrote is the order in the topic.
    KafkaBroker.createTopic(log, 1);
    KafkaBroker.createTopic(deadLetters, 1);
    for (String topic : List.of("inventory", "cart", "approvals")) {
      KafkaBroker.createTopic(topic + "-" + suffix, 2);
    }
    for (String topic : ShopApp.OUTPUT_TOPICS) {
      createIfMissing(topic);
    }
    Path tokens = Files.writeString(work.resolve("admin-tokens"), TOKEN + "\n");
    StatefulFunctions functions =
        ShopApp.functions(new ShopSettings(10_000, APPROVAL_TIMEOUT))
            .withStatefulFunction(
                TestFunctions.kafkaForwarder("ctl", "log", TypeName.typeNameOf("ctl", "out"), log))
            .withStatefulFunction(keeper())
            .withStatefulFunction(heldForwarder());
    RequestReplyHandler handler = functions.requestReplyHandler();
    server =
        FunctionServer.start(
            request -> {
              note(request.toByteArray());
              return handler.handle(request);
            },
            "127.0.0.1",
            0);
    String yaml = module(requests, replies, "  admin:\n    tokensFile: " + tokens + "\n");
    plan =
        FailurePlan.register(
            "address-control",
            new FailurePlan() {
              @Override
              protected boolean shouldFail(long records, int checkpointsDone) {
                return failures() < FAILURES_WANTED.get()
                    && lastCompletedCheckpoint() > FAIL_AFTER_CHECKPOINT.get();
              }
            });
    job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(work.resolve("checkpoints"), 2, Duration.ofMillis(500)),
            yaml,
            List.of(GeneratedIngress.of(0, i -> null).lingering().failing("address-control")),
            List.of());
    Module module = ModuleLoader.parse("module.yaml", yaml);
    gateway =
        Gateway.start(Gateway.declaredIn(module).orElseThrow(), module, Duration.ofSeconds(30));
    Module plain = ModuleLoader.parse("module.yaml", module(requests, replies, ""));
    GatewaySpec plainSpec = Gateway.declaredIn(plain).orElseThrow();
    withoutAdmin = Gateway.start(plainSpec, plain, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (withoutAdmin != null) {
      withoutAdmin.close();
    }
    if (job != null) {
      KeyflowTestJob.cancel(job);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anOrderWaitingForApprovalIsInspectedAndItsTimeoutCancelledSoItNeverFires() throws Exception {
    String order = "o-stuck-" + suffix;
    String address = "shop/checkout/" + order;
    String item = "tv-" + suffix;
    KafkaBroker.produce(
        "inventory-" + suffix,
        List.<String[]>of(
            new String[] {item, "{\"action\":\"restock\",\"quantity\":2,\"price\":50000}"}));
    KafkaBroker.produce(
        "cart-" + suffix,
        List.of(
            new String[] {"carol-" + suffix, "{\"action\":\"add\",\"item\":\"" + item + "\"}"},
            new String[] {
              "carol-" + suffix, "{\"action\":\"checkout\",\"order\":\"" + order + "\"}"
            }));
    try (CommittedTopicReader orders = new CommittedTopicReader("orders")) {
      awaitTrue(
          "the order waits for approval",
          () -> statuses(orders, order).contains("awaiting-approval"));
      int invocationsBefore = invocations(address).size();

      HttpResponse<String> inspected = admin("GET", address, "", TOKEN);
      assertThat(inspected.statusCode()).as(inspected.body()).isEqualTo(200);
      JsonNode report = JSON.readTree(inspected.body());
      assertThat(report.get("address").asText()).isEqualTo(address);
      assertThat(report.get("paused").asBoolean()).isFalse();
      assertThat(report.get("valuesKnown").asBoolean()).isTrue();
      JsonNode value = report.get("values").get("order");
      assertThat(value.get("typename").asText()).isEqualTo("shop.types/OrderState");
      assertThat(value.get("json").get("status").asText()).isEqualTo("awaiting-approval");
      assertThat(value.get("json").get("order").asText()).isEqualTo(order);
      assertThat(report.get("delayed")).hasSize(1);
      JsonNode timeout = report.get("delayed").get(0);
      assertThat(timeout.get("token").asText()).isEqualTo("approval-timeout-" + order);
      assertThat(timeout.get("target").asText()).isEqualTo(address);
      assertThat(timeout.get("typename").asText()).isEqualTo("shop.types/ApprovalTimeout");
      Instant due = Instant.parse(timeout.get("dueAt").asText());
      Instant asOf = Instant.parse(report.get("asOf").asText());
      assertThat(due).isAfter(asOf).isBefore(asOf.plus(APPROVAL_TIMEOUT));
      assertThat(invocations(address))
          .as("inspection never calls the function")
          .hasSize(invocationsBefore);

      // The same id under another function type holds the same keyed state, but the timeout is
      // the order's: cancelling it there is refused, and nothing changes.
      HttpResponse<String> elsewhere =
          admin(
              "POST",
              "shop/inventory/" + order + "/cancel-delay",
              "?token=approval-timeout-" + order,
              TOKEN);
      assertThat(elsewhere.statusCode()).as(elsewhere.body()).isEqualTo(409);
      assertThat(elsewhere.body())
          .contains("was sent by " + address)
          .contains("cancel it through its sender");
      assertThat(JSON.readTree(admin("GET", address, "", TOKEN).body()).get("delayed")).hasSize(1);

      HttpResponse<String> cancelled =
          admin("POST", address + "/cancel-delay", "?token=approval-timeout-" + order, TOKEN);
      assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
      JsonNode after = JSON.readTree(cancelled.body());
      assertThat(after.get("changed").asBoolean()).isTrue();
      assertThat(after.get("outcome").asText()).contains("cancelled the delayed message");
      assertThat(after.get("delayed")).isEmpty();

      // Past the due time, by the clock the job keeps timers with: nothing fires.
      awaitTrue(
          "the clock passes the cancelled timeout's due time by 2 s",
          () -> Instant.now().isAfter(due.plusSeconds(2)));
      HttpResponse<String> later = admin("GET", address, "", TOKEN);
      assertThat(later.statusCode()).as(later.body()).isEqualTo(200);
      JsonNode afterDue = JSON.readTree(later.body());
      assertThat(Instant.parse(afterDue.get("asOf").asText())).isAfter(due);
      assertThat(afterDue.get("values").get("order").get("json").get("status").asText())
          .isEqualTo("awaiting-approval");
      assertThat(invocations(address))
          .as("no ApprovalTimeout reached the order")
          .doesNotContain("shop.types/ApprovalTimeout")
          .hasSize(invocationsBefore);
      assertThat(statuses(orders, order)).containsExactly("reserving", "awaiting-approval");
    }
  }

  @Test
  void aPausedAddressKeepsItsMessagesInOrderThroughARestoreAndResumeDeliversEachOnce()
      throws Exception {
    String id = "paused-" + suffix;
    String address = "ctl/log/" + id;
    try (CommittedTopicReader written = new CommittedTopicReader(log)) {
      send(id, id + "#1");
      awaitTrue("the first message is written", () -> written.values(id).size() == 1);

      HttpResponse<String> paused = admin("POST", address + "/pause", "", TOKEN);
      assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
      assertThat(JSON.readTree(paused.body()).get("paused").asBoolean()).isTrue();
      int invocationsWhenPaused = invocations(address).size();

      List<String> expected = new ArrayList<>(List.of(id + "#1"));
      for (int i = 2; i <= 6; i++) {
        send(id, id + "#" + i);
        expected.add(id + "#" + i);
      }
      JsonNode waiting = awaitBacklog(address, 5);
      assertThat(waiting.get("oldestWaiting").get("text").asText()).isEqualTo(id + "#2");
      assertThat(waiting.has("inFlight")).isFalse();

      // The pause is keyed state: a failure and restore from a later checkpoint keeps it.
      failAndRestore();
      JsonNode restored = awaitBacklog(address, 5);
      assertThat(restored.get("paused").asBoolean()).isTrue();
      assertThat(invocations(address))
          .as("nothing reached the paused function")
          .hasSize(invocationsWhenPaused);

      HttpResponse<String> resumed = admin("POST", address + "/resume", "", TOKEN);
      assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
      assertThat(JSON.readTree(resumed.body()).get("outcome").asText())
          .contains("5 waiting message(s) go out in order");
      awaitTrue("all six are written", () -> written.values(id).size() >= 6);
      assertThat(written.values(id)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void skipSendsExactlyTheSkippedMessageToTheDeadLetterTopicAndTheRestGoOn() throws Exception {
    String id = "skipped-" + suffix;
    String address = "ctl/log/" + id;
    try (CommittedTopicReader written = new CommittedTopicReader(log);
        CommittedTopicReader dlq = new CommittedTopicReader(deadLetters)) {
      assertThat(admin("POST", address + "/pause", "", TOKEN).statusCode()).isEqualTo(200);
      send(id, id + "#1");
      send(id, id + "#2");
      send(id, id + "#3");
      awaitBacklog(address, 3);

      HttpResponse<String> skipped = admin("POST", address + "/skip", "", TOKEN);
      assertThat(skipped.statusCode()).as(skipped.body()).isEqualTo(200);
      JsonNode after = JSON.readTree(skipped.body());
      assertThat(after.get("outcome").asText())
          .contains("skipped the oldest waiting message to the dead-letter topic " + deadLetters);
      assertThat(after.get("backlog").asInt()).isEqualTo(2);
      assertThat(after.get("oldestWaiting").get("text").asText()).isEqualTo(id + "#2");

      assertThat(admin("POST", address + "/resume", "", TOKEN).statusCode()).isEqualTo(200);
      awaitTrue("the other two are written", () -> written.values(id).size() >= 2);
      assertThat(written.values(id)).containsExactly(id + "#2", id + "#3");
      awaitTrue("a dead letter is written", () -> !deadLettersFor(dlq, address).isEmpty());
      List<DeadLetter> letters = deadLettersFor(dlq, address);
      assertThat(letters).hasSize(1);
      assertThat(letters.get(0).getMessagesList()).hasSize(1);
      assertThat(letters.get(0).getMessages(0).getArgument().getValue().toStringUtf8())
          .isEqualTo(id + "#1");
      assertThat(letters.get(0).getError()).contains("skipped by an operator");
    }
  }

  @Test
  void adminRoutesAreRefusedWithoutTheAdminTokenAndOffWithoutAdminTokens() throws Exception {
    String address = "ctl/log/refused-" + suffix;
    HttpResponse<String> noToken = admin("GET", address, "", null);
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(noToken.body()).contains("admin token");
    HttpResponse<String> wrongToken = admin("POST", address + "/pause", "", "not-the-token");
    assertThat(wrongToken.statusCode()).isEqualTo(401);
    assertThat(wrongToken.body()).contains("not an admin token");

    HttpResponse<String> off =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(withoutAdmin.baseUrl() + "/v1/admin/addresses/" + address))
                .header("Authorization", "Bearer " + TOKEN)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(off.statusCode()).isEqualTo(403);
    assertThat(off.body()).contains("admin routes").contains("admin: tokensFile");

    HttpResponse<String> unbound = admin("GET", "nowhere/fn/x", "", TOKEN);
    assertThat(unbound.statusCode()).isEqualTo(404);
    HttpResponse<String> noToken404 = admin("POST", address + "/cancel-delay", "", TOKEN);
    assertThat(noToken404.statusCode()).isEqualTo(400);
    assertThat(noToken404.body()).contains("?token=");

    // A schedule's built-in address is inspected, never acted on.
    HttpResponse<String> noSchedule = admin("GET", "keyflow/schedules/none-" + suffix, "", TOKEN);
    assertThat(noSchedule.statusCode()).as(noSchedule.body()).isEqualTo(200);
    assertThat(JSON.readTree(noSchedule.body()).get("schedule").isNull()).isTrue();
    HttpResponse<String> pauseSchedule =
        admin("POST", "keyflow/schedules/none-" + suffix + "/pause", "", TOKEN);
    assertThat(pauseSchedule.statusCode()).isEqualTo(405);
    assertThat(pauseSchedule.body()).contains("a schedule is inspected with GET");

    HttpResponse<String> badSkip = admin("POST", address + "/skip", "?waiting=maybe", TOKEN);
    assertThat(badSkip.statusCode()).isEqualTo(400);
    assertThat(badSkip.body()).contains("skip?waiting=maybe is not accepted");

    // A type that has answered no call since the job started, and that no checkpoint records:
    // its values are unknown, so deleting them is refused rather than reported as done.
    String neverCalled = "ctl/never-called/x-" + suffix;
    HttpResponse<String> unknownValues = admin("POST", neverCalled + "/delete-state", "", TOKEN);
    assertThat(unknownValues.statusCode()).as(unknownValues.body()).isEqualTo(409);
    assertThat(unknownValues.body())
        .contains("values of ctl/never-called are not known on this subtask");
    JsonNode neverReport = JSON.readTree(admin("GET", neverCalled, "", TOKEN).body());
    assertThat(neverReport.get("valuesKnown").asBoolean()).isFalse();
    assertThat(neverReport.get("values")).isEmpty();

    // Refused requests change nothing: the address is not paused.
    HttpResponse<String> inspected = admin("GET", address, "", TOKEN);
    assertThat(inspected.statusCode()).as(inspected.body()).isEqualTo(200);
    assertThat(JSON.readTree(inspected.body()).get("paused").asBoolean()).isFalse();
    assertThat(invocations(address)).isEmpty();
  }

  @Test
  void valuesOfAnAddressWhoseFunctionIsNotCalledAfterARestoreAreShownAndCanBeDeleted()
      throws Exception {
    String id = "kept-" + suffix;
    String address = "ctl/keeper/" + id;
    KafkaBroker.produce(keep, List.<String[]>of(new String[] {id, id + "#1"}));
    JsonNode kept = awaitReport(address, r -> lastValue(r).equals(id + "#1"));
    assertThat(kept.has("valuesKnownFrom")).as("known from the call").isFalse();
    JsonNode expiration = kept.get("values").get("last").get("expiration");
    assertThat(expiration.get("mode").asText()).isEqualTo("AFTER_WRITE");
    assertThat(expiration.get("afterMillis").asLong()).isEqualTo(Duration.ofHours(1).toMillis());
    assertThat(expiration.get("expiresAt").asText()).startsWith("not known online");
    int invocationsBefore = invocations(address).size();

    failAndRestore();

    // Nothing calls ctl/keeper after the restore: the values come from the checkpoint.
    JsonNode restored = awaitReport(address, r -> r.get("valuesKnown").asBoolean());
    assertThat(lastValue(restored)).isEqualTo(id + "#1");
    assertThat(restored.get("valuesKnownFrom").asText()).startsWith("the restored checkpoint");
    assertThat(restored.get("values").get("last").get("expiration").get("mode").asText())
        .isEqualTo("AFTER_WRITE");
    assertThat(invocations(address)).as("no call since the restore").hasSize(invocationsBefore);

    HttpResponse<String> deleted = admin("POST", address + "/delete-state", "", TOKEN);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    JsonNode afterDelete = JSON.readTree(deleted.body());
    assertThat(afterDelete.get("outcome").asText()).isEqualTo("deleted the values last");
    assertThat(afterDelete.get("values").get("last").get("absent").asBoolean()).isTrue();
    assertThat(invocations(address)).as("deleting calls nothing").hasSize(invocationsBefore);

    // The next call declares the values afresh; from then on they are known from calls.
    KafkaBroker.produce(keep, List.<String[]>of(new String[] {id, id + "#2"}));
    JsonNode called = awaitReport(address, r -> lastValue(r).equals(id + "#2"));
    assertThat(called.has("valuesKnownFrom")).isFalse();
  }

  @Test
  void skipOfTheOldestWaitingMessageLeavesTheRequestInFlightAlone() throws Exception {
    String id = "held-" + suffix;
    String address = "ctl/held/" + id;
    try (CommittedTopicReader written = new CommittedTopicReader(log);
        CommittedTopicReader dlq = new CommittedTopicReader(deadLetters)) {
      KafkaBroker.produce(held, List.<String[]>of(new String[] {id, id + "#1"}));
      awaitReport(address, r -> r.has("inFlight"));
      KafkaBroker.produce(
          held, List.of(new String[] {id, id + "#2"}, new String[] {id, id + "#3"}));
      awaitBacklog(address, 2);

      HttpResponse<String> skipped = admin("POST", address + "/skip", "?waiting", TOKEN);
      assertThat(skipped.statusCode()).as(skipped.body()).isEqualTo(200);
      JsonNode after = JSON.readTree(skipped.body());
      assertThat(after.get("outcome").asText())
          .contains("skipped the oldest waiting message to the dead-letter topic " + deadLetters)
          .contains("the request in flight goes on");
      assertThat(after.get("backlog").asInt()).isEqualTo(1);
      assertThat(after.get("oldestWaiting").get("text").asText()).isEqualTo(id + "#3");
      assertThat(after.get("inFlight").get("first").get("text").asText()).isEqualTo(id + "#1");

      HELD.complete(null);
      awaitTrue(
          "the in-flight and the last message are written", () -> written.values(id).size() >= 2);
      awaitTrue("a dead letter is written", () -> !deadLettersFor(dlq, address).isEmpty());
      assertThat(written.values(id)).containsExactly(id + "#1", id + "#3");
      List<DeadLetter> letters = deadLettersFor(dlq, address);
      assertThat(letters).hasSize(1);
      assertThat(letters.get(0).getMessagesList()).hasSize(1);
      assertThat(letters.get(0).getMessages(0).getArgument().getValue().toStringUtf8())
          .isEqualTo(id + "#2");
      JsonNode idle = awaitReport(address, r -> !r.has("inFlight"));
      assertThat(idle.get("backlog").asInt()).isZero();
    }
  }

  /**
   * Fails the job once, after a checkpoint that started after this call, and waits until it has
   * failed: the restore then has everything applied before this call.
   */
  private static void failAndRestore() throws Exception {
    // The checkpoint after the next one completes was started after this moment.
    FAIL_AFTER_CHECKPOINT.set(plan.lastCompletedCheckpoint() + 1);
    int wanted = FAILURES_WANTED.incrementAndGet();
    awaitTrue("the job failed after a checkpoint", () -> plan.failures() == wanted);
  }

  /** {@code ctl/keeper} keeps the last text it got in {@code last}, expiring an hour after it. */
  private static StatefulFunctionSpec keeper() {
    ValueSpec<String> last =
        ValueSpec.named("last").thatExpireAfterWrite(Duration.ofHours(1)).withUtf8StringType();
    return StatefulFunctionSpec.builder(TypeName.typeNameOf("ctl", "keeper"))
        .withValueSpec(last)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  context.storage().set(last, new String(message.rawValue().toByteArray(), UTF_8));
                  return context.done();
                })
        .build();
  }

  /**
   * {@code ctl/held} writes every text it gets to the log topic, as {@code ctl/log} does, but
   * answers no call before a test completes {@link #HELD}.
   */
  private static StatefulFunctionSpec heldForwarder() {
    TypeName egress = TypeName.typeNameOf("ctl", "out");
    return StatefulFunctionSpec.builder(TypeName.typeNameOf("ctl", "held"))
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  byte[] text = message.rawValue().toByteArray();
                  return HELD.thenApply(
                      released -> {
                        context.send(
                            KafkaEgressMessage.forEgress(egress)
                                .withTopic(log)
                                .withValue(text)
                                .build());
                        return (Void) null;
                      });
                })
        .build();
  }

  private static String lastValue(JsonNode report) {
    return report.path("values").path("last").path("value").asText("");
  }

  @FunctionalInterface
  private interface ReportCheck {
    boolean holds(JsonNode report);
  }

  private static JsonNode awaitReport(String address, ReportCheck check) throws Exception {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = admin("GET", address, "?wait=10s", TOKEN);
      last = response.statusCode() + " " + response.body();
      if (response.statusCode() == 200) {
        JsonNode report = JSON.readTree(response.body());
        if (check.holds(report)) {
          return report;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError(address + " never reported as expected; last answer: " + last);
  }

  private static JsonNode awaitBacklog(String address, int backlog) throws Exception {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = admin("GET", address, "?wait=10s", TOKEN);
      last = response.statusCode() + " " + response.body();
      if (response.statusCode() == 200) {
        JsonNode report = JSON.readTree(response.body());
        if (report.get("backlog").asInt() == backlog) {
          return report;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError(address + " never had " + backlog + " waiting; last answer: " + last);
  }

  private static HttpResponse<String> admin(String method, String path, String query, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(gateway.baseUrl() + "/v1/admin/addresses/" + path + query))
            .timeout(Duration.ofMinutes(2))
            .header("X-Keyflow-Requested-By", "AddressControlIT");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    request =
        method.equals("GET") ? request.GET() : request.POST(HttpRequest.BodyPublishers.noBody());
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void send(String id, String text) throws Exception {
    KafkaBroker.produce(in, List.<String[]>of(new String[] {id, text}));
  }

  private static List<String> invocations(String address) {
    return List.copyOf(INVOKED.getOrDefault(address, List.of()));
  }

  private static void note(byte[] request) {
    try {
      ToFunction parsed = ToFunction.parseFrom(request);
      var target = parsed.getInvocation().getTarget();
      String address = target.getNamespace() + "/" + target.getType() + "/" + target.getId();
      List<String> seen = INVOKED.computeIfAbsent(address, a -> new CopyOnWriteArrayList<>());
      parsed
          .getInvocation()
          .getInvocationsList()
          .forEach(i -> seen.add(i.getArgument().getTypename()));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("the job sent a request that is no ToFunction", e);
    }
  }

  private static List<String> statuses(CommittedTopicReader orders, String order) throws Exception {
    List<String> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : orders.records()) {
      if (r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(order)) {
        out.add(JSON.readTree(r.value()).get("status").asText());
      }
    }
    return out;
  }

  private static List<DeadLetter> deadLettersFor(CommittedTopicReader dlq, String address)
      throws Exception {
    List<DeadLetter> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : dlq.records()) {
      if (new String(r.key(), StandardCharsets.UTF_8).equals(address)) {
        out.add(DeadLetter.parseFrom(r.value()));
      }
    }
    return out;
  }

  @FunctionalInterface
  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(String what, Condition condition) throws Exception {
    KeyflowTestJob.awaitWhileRunning(
        job,
        AWAIT,
        new KeyflowTestJob.Check() {
          @Override
          public boolean done() throws Exception {
            return condition.holds();
          }

          @Override
          public String toString() {
            return what;
          }
        });
  }

  private static void createIfMissing(String topic) throws Exception {
    try {
      KafkaBroker.createTopic(topic, 2);
    } catch (java.util.concurrent.ExecutionException e) {
      if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
        throw e;
      }
    }
  }

  private static String module(String requests, String replies, String admin) {
    String servers = KafkaBroker.bootstrapServers();
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: shop/*
          urlPathTemplate: %1$s/{function.name}
        ---
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: ctl/*
          urlPathTemplate: %1$s/{function.name}
          failures:
            policy: dead-letter
            maxAttempts: 2
            deadLetter:
              egress: ctl/out
              topic: %2$s
        ---
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: ctl/held
          urlPathTemplate: %1$s/{function.name}
          transport:
            timeouts:
              call: 5 min
              read: 5 min
          failures:
            policy: dead-letter
            maxAttempts: 2
            deadLetter:
              egress: ctl/out
              topic: %2$s
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: ctl/in
          address: %3$s
          consumerGroupId: ctl-%4$s
          startupPosition:
            type: earliest
          topics:
            - topic: inventory-%4$s
              valueType: shop.types/InventoryCommand
              targets: [shop/inventory]
            - topic: cart-%4$s
              valueType: shop.types/CartCommand
              targets: [shop/cart]
            - topic: approvals-%4$s
              valueType: shop.types/Approval
              targets: [shop/checkout]
            - topic: %5$s
              valueType: ctl.types/text
              targets: [ctl/log]
            - topic: %9$s
              valueType: ctl.types/text
              targets: [ctl/keeper]
            - topic: %10$s
              valueType: ctl.types/text
              targets: [ctl/held]
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: shop/out
          address: %3$s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 3 min
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: ctl/out
          address: %3$s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 3 min
        ---
        kind: io.keyflow.gateway.v1/http
        spec:
          id: ctl/gateway
          address: %3$s
          listen: 127.0.0.1:0
          requestTopic: %6$s
          replyTopic: %7$s
          functions: [shop/checkout]
          timeouts:
            wait: 30 s
            maxWait: 2 min
        %8$s"""
        .formatted(
            server.baseUrl(),
            deadLetters,
            servers,
            suffix,
            in,
            requests,
            replies,
            admin,
            keep,
            held);
  }
}
