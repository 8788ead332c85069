package io.keyflow.examples.shop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.testkit.Value;
import io.keyflow.testkit.junit.GatewayResponse;
import io.keyflow.testkit.junit.KeyflowEnvironment;
import io.keyflow.testkit.junit.KeyflowTest;
import io.keyflow.testkit.junit.TestFunctions;
import io.keyflow.testkit.kafka.TopicRecords;
import io.keyflow.testkit.unit.KafkaRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.junit.jupiter.api.Test;

/**
 * The example shop as the README runs it, on the test kit: the repository's {@code module.yaml}
 * (its addresses rewritten to the test's broker and functions), the shop's functions, Kafka in and
 * out, RocksDB at parallelism 2. The shop's 2-minute approval timeout runs 12 times faster (10 s);
 * carts are reminded of every 2 s.
 */
// tag::integration[]
@KeyflowTest(module = "../module.yaml", delaySpeedup = 12)
class ShopIT {
  @TestFunctions
  static final StatefulFunctions SHOP =
      ShopApp.functions(new ShopSettings(10_000, Duration.ofMinutes(2), Duration.ofSeconds(2)));

  @Test
  void ordersAreConfirmedApprovedOrCancelledByTimeoutAndAFailureChangesNothing(
      KeyflowEnvironment keyflow) {
    TopicRecords orders = keyflow.topic("orders");
    keyflow.send("inventory", "apple", "{\"action\":\"restock\",\"quantity\":10,\"price\":150}");
    keyflow.send("inventory", "tv", "{\"action\":\"restock\",\"quantity\":2,\"price\":50000}");

    // Under the threshold (2 x 1.50): confirmed straight away.
    keyflow.send("cart", "alice", "{\"action\":\"add\",\"item\":\"apple\",\"quantity\":2}");
    keyflow.send("cart", "alice", "{\"action\":\"checkout\",\"order\":\"o-small\"}");
    orders.await("o-small confirmed", status("o-small", "confirmed"));

    keyflow.failAndRestore();

    // Above it (500.00): waits for the approval, then confirmed.
    keyflow.send("cart", "bob", "{\"action\":\"add\",\"item\":\"tv\"}");
    keyflow.send("cart", "bob", "{\"action\":\"checkout\",\"order\":\"o-approved\"}");
    orders.await("o-approved awaiting approval", status("o-approved", "awaiting-approval"));
    keyflow.send("approvals", "o-approved", "{\"approved\":true,\"by\":\"manager\"}");
    orders.await("o-approved confirmed", status("o-approved", "confirmed"));

    // Above it and never approved: cancelled when the (sped-up) timeout passes.
    keyflow.send("cart", "carol", "{\"action\":\"add\",\"item\":\"tv\"}");
    keyflow.send("cart", "carol", "{\"action\":\"checkout\",\"order\":\"o-timeout\"}");
    orders.await("o-timeout awaiting approval", status("o-timeout", "awaiting-approval"));
    keyflow.advancePastDelayedMessages();
    orders.await("o-timeout cancelled", status("o-timeout", "cancelled"));
    TopicRecords stock = keyflow.topic("stock");
    stock.await("tv back at 1 available, none reserved", level("tv", 1));
    stock.await("apple at 8 available, none reserved", level("apple", 8));

    assertThat(statuses(orders, "o-small")).containsExactly("reserving", "confirmed");
    assertThat(statuses(orders, "o-approved"))
        .containsExactly("reserving", "awaiting-approval", "confirmed");
    assertThat(statuses(orders, "o-timeout"))
        .containsExactly("reserving", "awaiting-approval", "cancelled");
  }

  // The gateway test and the helpers status(...), level(...) and statuses(...) follow below.
  // end::integration[]

  @Test
  void theShopAnswersOverTheGateway(KeyflowEnvironment keyflow) {
    keyflow.send("inventory", "pear", "{\"action\":\"restock\",\"quantity\":5,\"price\":90}");
    keyflow.topic("stock").await("pear restocked", r -> r.key().equals("pear"));

    GatewayResponse added = cart(keyflow, "dave", "{\"action\":\"add\",\"item\":\"pear\"}");
    assertThat(json(added).get("items").toString()).isEqualTo("{\"pear\":1}");
    assertThat(added.reply().orElseThrow().typename()).isEqualTo("shop.types/CartView");
    GatewayResponse checkedOut = cart(keyflow, "dave", "{\"action\":\"checkout\"}");
    assertThat(json(checkedOut).get("order").asText()).isEqualTo("dave-1");
    keyflow.topic("orders").await("dave-1 confirmed", status("dave-1", "confirmed"));

    GatewayResponse order =
        keyflow.call(
            new Address(CheckoutFn.TYPE, "dave-1"),
            Value.ofUtf8(Messages.STATUS_QUERY.asTypeNameString(), "{}"));
    assertThat(json(order).get("status").asText()).isEqualTo("confirmed");
    GatewayResponse inventory =
        keyflow.call(
            new Address(InventoryFn.TYPE, "pear"),
            Value.ofUtf8("shop.types/InventoryCommand", "{}"));
    assertThat(inventory.status()).as("inventory is not exposed").isEqualTo(404);
  }

  @Test
  void aCartLeftWithItemsIsRemindedOfThreeTimesAndACheckedOutOneNever(KeyflowEnvironment keyflow) {
    TopicRecords reminders = keyflow.topic("cart-reminders");
    keyflow.send("cart", "gina", "{\"action\":\"add\",\"item\":\"apple\"}");
    keyflow.send("cart", "hank", "{\"action\":\"add\",\"item\":\"apple\"}");
    keyflow.send("cart", "hank", "{\"action\":\"checkout\",\"order\":\"o-hank\"}");

    reminders.await("gina's third reminder", r -> reminders.withKey("gina").size() >= 3);
    assertThatThrownBy(
            () ->
                reminders.await(
                    "a fourth reminder for gina, or one for hank",
                    Duration.ofSeconds(3),
                    r -> reminders.withKey("gina").size() > 3 || r.key().equals("hank")))
        .isInstanceOf(AssertionError.class);

    List<JsonNode> gina = reminders.withKey("gina").stream().map(ShopIT::json).toList();
    assertThat(gina).allMatch(r -> r.get("items").toString().equals("{\"apple\":1}"));
    List<java.time.Instant> times =
        gina.stream().map(r -> java.time.Instant.parse(r.get("fireTime").asText())).toList();
    assertThat(Duration.between(times.get(0), times.get(1))).isEqualTo(Duration.ofSeconds(2));
    assertThat(Duration.between(times.get(1), times.get(2))).isEqualTo(Duration.ofSeconds(2));
  }

  private static GatewayResponse cart(KeyflowEnvironment keyflow, String user, String command) {
    GatewayResponse response =
        keyflow.call(
            new Address(CartFn.TYPE, user), Value.ofUtf8("shop.types/CartCommand", command));
    assertThat(response.status()).as(response.toString()).isEqualTo(200);
    return response;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static java.util.function.Predicate<KafkaRecord> status(String order, String status) {
    return r -> r.key().equals(order) && json(r).get("status").asText().equals(status);
  }

  private static java.util.function.Predicate<KafkaRecord> level(String item, long available) {
    return r ->
        r.key().equals(item)
            && json(r).get("available").asLong() == available
            && json(r).get("reserved").asLong() == 0;
  }

  private static List<String> statuses(TopicRecords orders, String order) {
    return orders.withKey(order).stream().map(r -> json(r).get("status").asText()).toList();
  }

  private static JsonNode json(KafkaRecord record) {
    return read(record.value());
  }

  private static JsonNode json(GatewayResponse response) {
    return read(response.reply().orElseThrow(() -> new AssertionError(response)).bytes());
  }

  private static JsonNode read(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
