package io.keyflow.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.functions.FunctionServer;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.testing.CommittedTopicReader;
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * The example shop, as the README runs it: the root {@code module.yaml} (addresses pointed at the
 * test's broker and function server), its functions on Undertow, Kafka in and out, RocksDB at
 * parallelism 2.
 */
@ExtendWith(KafkaBroker.class)
class ShopIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration APPROVAL_TIMEOUT = Duration.ofSeconds(3);

  private static FunctionServer functions;
  private static CommittedTopicReader orders;
  private static CommittedTopicReader stock;
  private static CommittedTopicReader carts;

  @TempDir Path checkpoints;

  @BeforeAll
  static void start() throws Exception {
    for (String topic :
        List.of(
            "cart",
            "inventory",
            "approvals",
            "cart-views",
            "orders",
            "stock",
            "shop-calls",
            "shop-replies")) {
      KafkaBroker.createTopic(topic, 2);
    }
    functions = ShopApp.serve(new ShopSettings(10_000, APPROVAL_TIMEOUT), "127.0.0.1", 0);
    orders = new CommittedTopicReader("orders");
    stock = new CommittedTopicReader("stock");
    carts = new CommittedTopicReader("cart-views");
  }

  @AfterAll
  static void stop() {
    orders.close();
    stock.close();
    carts.close();
    functions.close();
  }

  /** The repository's module.yaml with the broker and function addresses of this test. */
  private static String module() throws IOException {
    String yaml = Files.readString(Path.of("..", "module.yaml"));
    assertThat(yaml).contains("127.0.0.1:9092", "http://127.0.0.1:8000", "127.0.0.1:8080");
    return yaml.replace("127.0.0.1:9092", KafkaBroker.bootstrapServers())
        .replace("http://127.0.0.1:8000", functions.baseUrl())
        .replace("127.0.0.1:8080", "127.0.0.1:0");
  }

  @Test
  void ordersAreConfirmedApprovedOrCancelledByTimeoutAndAFailureChangesNothing() throws Exception {
    AtomicBoolean failNow = new AtomicBoolean();
    FailurePlan plan =
        FailurePlan.register(
            "shop",
            new FailurePlan() {
              @Override
              protected boolean shouldFail(long records, int checkpointsDone) {
                return failNow.get() && failures() == 0;
              }
            });
    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
            module(),
            List.of(GeneratedIngress.of(0, i -> null).lingering().failing("shop")),
            List.of());
    try {
      send("inventory", "apple", "{\"action\":\"restock\",\"quantity\":10,\"price\":150}");
      send("inventory", "tv", "{\"action\":\"restock\",\"quantity\":2,\"price\":50000}");
      awaitStock(job, "tv", 2);

      // Under the threshold (2 x 1.50): confirmed straight away.
      send("cart", "alice", "{\"action\":\"add\",\"item\":\"apple\",\"quantity\":2}");
      send("cart", "alice", "{\"action\":\"checkout\",\"order\":\"o-small\"}");
      awaitStatus(job, "o-small", "confirmed");

      failNow.set(true);
      KeyflowTestJob.awaitWhileRunning(job, Duration.ofMinutes(1), () -> plan.failures() == 1);

      // Above it (500.00): waits for the approval, then confirmed.
      send("cart", "bob", "{\"action\":\"add\",\"item\":\"tv\"}");
      send("cart", "bob", "{\"action\":\"checkout\",\"order\":\"o-approved\"}");
      awaitStatus(job, "o-approved", "awaiting-approval");
      send("approvals", "o-approved", "{\"approved\":true,\"by\":\"manager\"}");
      awaitStatus(job, "o-approved", "confirmed");

      // Above it and never approved: cancelled by the timeout, the tv goes back to stock.
      send("cart", "carol", "{\"action\":\"add\",\"item\":\"tv\"}");
      send("cart", "carol", "{\"action\":\"checkout\",\"order\":\"o-timeout\"}");
      awaitStatus(job, "o-timeout", "cancelled");
      awaitStock(job, "tv", 1);

      // The same shop over the HTTP gateway: commands answer with the cart, a status query
      // with the order.
      Module module = ModuleLoader.parse("module.yaml", module());
      try (Gateway gateway =
          Gateway.start(Gateway.declaredIn(module).orElseThrow(), module, Duration.ofSeconds(30))) {
        HttpResponse<String> added =
            call(
                gateway,
                "shop/cart/dave",
                "shop.types/CartCommand",
                "{\"action\":\"add\",\"item\":\"apple\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        assertThat(added.headers().firstValue("X-Keyflow-Type")).hasValue("shop.types/CartView");
        assertThat(JSON.readTree(added.body()).get("items").toString()).isEqualTo("{\"apple\":1}");
        HttpResponse<String> viewed =
            call(gateway, "shop/cart/dave", "shop.types/CartCommand", "{\"action\":\"view\"}");
        assertThat(JSON.readTree(viewed.body()).get("items").toString()).isEqualTo("{\"apple\":1}");
        HttpResponse<String> status =
            call(gateway, "shop/checkout/o-approved", "shop.types/StatusQuery", "{}");
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(JSON.readTree(status.body()).get("status").asText()).isEqualTo("confirmed");
        assertThat(
                call(gateway, "shop/inventory/tv", "shop.types/InventoryCommand", "{}")
                    .statusCode())
            .as("inventory is not exposed")
            .isEqualTo(404);
      }
    } finally {
      KeyflowTestJob.cancel(job);
    }

    assertThat(plan.failures()).isEqualTo(1);
    assertThat(statuses("o-small")).containsExactly("reserving", "confirmed");
    assertThat(statuses("o-approved"))
        .containsExactly("reserving", "awaiting-approval", "confirmed");
    assertThat(statuses("o-timeout"))
        .containsExactly("reserving", "awaiting-approval", "cancelled");
    assertThat(last(orders, "o-timeout").get("reason").asText()).contains("approval timed out");
    assertThat(last(orders, "o-approved").get("total").asLong()).isEqualTo(50_000);

    JsonNode tv = last(stock, "tv");
    assertThat(tv.get("available").asLong()).isEqualTo(1);
    assertThat(tv.get("reserved").asLong()).isZero();
    JsonNode apple = last(stock, "apple");
    assertThat(apple.get("available").asLong()).isEqualTo(8);
    assertThat(apple.get("reserved").asLong()).isZero();

    assertThat(values(carts, "alice").stream().map(v -> v.get("items").toString()).toList())
        .containsExactly("{\"apple\":2}", "{}");
  }

  private static HttpResponse<String> call(Gateway gateway, String path, String type, String json)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/functions/" + path))
                .header("Content-Type", type)
                .timeout(Duration.ofMinutes(1))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static void send(String topic, String key, String json) throws Exception {
    KafkaBroker.produce(topic, List.<String[]>of(new String[] {key, json}));
  }

  private static void awaitStatus(JobClient job, String order, String status) throws Exception {
    KeyflowTestJob.awaitWhileRunning(
        job, Duration.ofMinutes(1), () -> statuses(order).contains(status));
  }

  private static void awaitStock(JobClient job, String item, long available) throws Exception {
    KeyflowTestJob.awaitWhileRunning(
        job,
        Duration.ofMinutes(1),
        () -> {
          JsonNode last = last(stock, item);
          return last != null
              && last.get("available").asLong() == available
              && last.get("reserved").asLong() == 0;
        });
  }

  private static List<String> statuses(String order) {
    return values(orders, order).stream().map(v -> v.get("status").asText()).toList();
  }

  private static JsonNode last(CommittedTopicReader reader, String key) {
    List<JsonNode> values = values(reader, key);
    return values.isEmpty() ? null : values.get(values.size() - 1);
  }

  /** The committed JSON values of {@code key}, in the order written (one partition per key). */
  private static List<JsonNode> values(CommittedTopicReader reader, String key) {
    Map<String, List<JsonNode>> byKey = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : reader.records()) {
      String k = new String(r.key(), StandardCharsets.UTF_8);
      try {
        byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(JSON.readTree(r.value()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return byKey.getOrDefault(key, List.of());
  }
}
