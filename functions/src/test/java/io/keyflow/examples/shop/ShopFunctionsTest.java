package io.keyflow.examples.shop;

import static io.keyflow.testkit.unit.InvocationAssert.assertThat;

import io.keyflow.examples.shop.CartFn.CartState;
import io.keyflow.examples.shop.CheckoutFn.OrderState;
import io.keyflow.examples.shop.Events.CartView;
import io.keyflow.examples.shop.Events.OrderEvent;
import io.keyflow.examples.shop.Messages.Approval;
import io.keyflow.examples.shop.Messages.ApprovalTimeout;
import io.keyflow.examples.shop.Messages.CartCommand;
import io.keyflow.examples.shop.Messages.OrderRequest;
import io.keyflow.examples.shop.Messages.Reservation;
import io.keyflow.examples.shop.Messages.StockRequest;
import io.keyflow.testkit.Value;
import io.keyflow.testkit.unit.FunctionTester;
import io.keyflow.testkit.unit.InvocationResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.types.Type;
import org.junit.jupiter.api.Test;

/**
 * The shop's functions one call at a time, over the wire protocol and without Flink: what each
 * command leaves in state, sends, schedules and writes.
 */
class ShopFunctionsTest {
  private static final Type<CartView> CART_VIEW = Json.type("CartView", CartView.class);
  private static final org.apache.flink.statefun.sdk.java.TypeName SCHEDULES =
      org.apache.flink.statefun.sdk.java.TypeName.typeNameOf("keyflow", "schedules");
  private static final Type<OrderEvent> ORDER_EVENT = Json.type("OrderEvent", OrderEvent.class);

  // tag::unit[]
  private final FunctionTester shop =
      FunctionTester.of(ShopApp.functions(new ShopSettings(10_000, Duration.ofMinutes(2))));

  @Test
  void checkoutHandsTheItemsToANewOrderAndEmptiesTheCart() {
    InvocationResult result =
        shop.invoke(CartFn.TYPE, "alice")
            .withState(CartFn.STATE, new CartState(Map.of("apple", 2), 0))
            .message(Messages.CART_COMMAND, new CartCommand("checkout", null, null, null))
            .call();

    assertThat(result)
        .hasState(CartFn.STATE, new CartState(Map.of(), 1))
        .sent(
            new Address(CheckoutFn.TYPE, "alice-1"),
            Messages.ORDER_REQUEST,
            new OrderRequest("alice-1", "alice", Map.of("apple", 2)))
        .wroteKafka(
            "cart-views", "alice", CART_VIEW, new CartView("alice", Map.of(), "alice-1", null));
  }

  // end::unit[]

  @Test
  void addingAnItemKeepsItInTheCartAndShowsTheCart() {
    InvocationResult result =
        shop.invoke(CartFn.TYPE, "bob")
            .message(Messages.CART_COMMAND, new CartCommand("add", "apple", 2, null))
            .message(Messages.CART_COMMAND, new CartCommand("add", "pear", null, null))
            .call();

    assertThat(result)
        .hasState(CartFn.STATE, new CartState(Map.of("apple", 2, "pear", 1), 0))
        .wroteKafka(
            "cart-views", "bob", CART_VIEW, new CartView("bob", Map.of("apple", 2), null, null))
        .wroteKafka(
            "cart-views",
            "bob",
            CART_VIEW,
            new CartView("bob", Map.of("apple", 2, "pear", 1), null, null));
  }

  @Test
  void aCartWithItemsSchedulesItsRemindersAndCheckoutDeletesThem() throws Exception {
    InvocationResult added =
        shop.invoke(CartFn.TYPE, "erin")
            .message(Messages.CART_COMMAND, new CartCommand("add", "apple", 1, null))
            .call();
    InvocationResult checkedOut =
        shop.invoke(CartFn.TYPE, "erin")
            .withState(CartFn.STATE, new CartState(Map.of("apple", 1), 0))
            .message(Messages.CART_COMMAND, new CartCommand("checkout", null, null, null))
            .call();

    Address schedule = new Address(SCHEDULES, "cart-reminder-erin");
    org.assertj.core.api.Assertions.assertThat(added.sent()).hasSize(1);
    org.assertj.core.api.Assertions.assertThat(added.sent().get(0).target()).isEqualTo(schedule);
    Value set = added.sent().get(0).value();
    org.assertj.core.api.Assertions.assertThat(set.typename()).isEqualTo("keyflow/schedule.set");
    var spec = Json.MAPPER.readTree(set.bytes());
    org.assertj.core.api.Assertions.assertThat(spec.get("target").asText())
        .isEqualTo("shop/cart/erin");
    org.assertj.core.api.Assertions.assertThat(spec.get("every").asText()).isEqualTo("3600000ms");
    org.assertj.core.api.Assertions.assertThat(
            java.time.Duration.between(
                java.time.Instant.parse(spec.get("start").asText()),
                java.time.Instant.parse(spec.get("end").asText())))
        .isEqualTo(Duration.ofHours(2));
    org.assertj.core.api.Assertions.assertThat(checkedOut.sent())
        .anySatisfy(
            m -> {
              org.assertj.core.api.Assertions.assertThat(m.target()).isEqualTo(schedule);
              org.assertj.core.api.Assertions.assertThat(m.value().typename())
                  .isEqualTo("keyflow/schedule.delete");
            });
  }

  @Test
  void aReminderFireTurnsACartWithItemsIntoAReminder() {
    String fire =
        "{\"schedule\":\"cart-reminder-fay\",\"fireTime\":\"2026-12-03T10:00:00Z\","
            + "\"fireTimeMillis\":1796292000000,\"missed\":0}";
    InvocationResult withItems =
        shop.invoke(CartFn.TYPE, "fay")
            .withState(CartFn.STATE, new CartState(Map.of("tv", 1), 0))
            .message(Value.ofUtf8("keyflow/schedule.fire", fire))
            .call();
    InvocationResult empty =
        shop.invoke(CartFn.TYPE, "fay").message(Value.ofUtf8("keyflow/schedule.fire", fire)).call();

    assertThat(withItems)
        .sentNothing()
        .wroteKafka(
            "cart-reminders",
            "fay",
            Json.type("CartReminder", Events.CartReminder.class),
            new Events.CartReminder("fay", Map.of("tv", 1), "2026-12-03T10:00:00Z"));
    org.assertj.core.api.Assertions.assertThat(empty.kafkaRecords()).isEmpty();
  }

  @Test
  void anOrderAboveTheThresholdWaitsForApprovalWithACancellableTimeout() {
    Address order = new Address(CheckoutFn.TYPE, "o-1");
    InvocationResult result =
        shop.invoke(order)
            .withState(CheckoutFn.STATE, reserving("o-1", Map.of("tv", 1)))
            .messageFrom(
                new Address(InventoryFn.TYPE, "tv"),
                Messages.RESERVATION,
                new Reservation("o-1", "tv", 1, true, 50_000))
            .call();

    assertThat(result)
        .sentCancellable(
            "approval-timeout-o-1",
            order,
            Duration.ofMinutes(2),
            Messages.APPROVAL_TIMEOUT,
            new ApprovalTimeout("o-1"))
        .wroteKafka(
            "orders",
            "o-1",
            ORDER_EVENT,
            new OrderEvent(
                "o-1",
                "bob",
                "awaiting-approval",
                Map.of("tv", 1),
                50_000L,
                "total above 10000: needs approval"));
  }

  @Test
  void anApprovalCancelsTheTimeoutAndCommitsTheStock() {
    InvocationResult waiting =
        shop.invoke(CheckoutFn.TYPE, "o-1")
            .withState(CheckoutFn.STATE, reserving("o-1", Map.of("tv", 1)))
            .messageFrom(
                new Address(InventoryFn.TYPE, "tv"),
                Messages.RESERVATION,
                new Reservation("o-1", "tv", 1, true, 50_000))
            .call();

    InvocationResult approved =
        shop.invoke(CheckoutFn.TYPE, "o-1")
            .withStateOf(waiting)
            .message(Messages.APPROVAL, new Approval(true, "manager"))
            .call();

    assertThat(approved)
        .cancelled("approval-timeout-o-1")
        .sent(
            new Address(InventoryFn.TYPE, "tv"),
            Messages.STOCK_REQUEST,
            new StockRequest("commit", "o-1", 0))
        .wroteKafka(
            "orders",
            "o-1",
            ORDER_EVENT,
            new OrderEvent(
                "o-1", "bob", "confirmed", Map.of("tv", 1), 50_000L, "approved by manager"));
  }

  @Test
  void aStatusQueryThroughTheGatewayIsAnsweredWithTheOrder() {
    InvocationResult result =
        shop.invoke(CheckoutFn.TYPE, "o-1")
            .withState(CheckoutFn.STATE, reserving("o-1", Map.of("tv", 1)))
            .gatewayCall(Value.ofUtf8(Messages.STATUS_QUERY.asTypeNameString(), "{}"))
            .call();

    assertThat(result)
        .replied(
            ORDER_EVENT, new OrderEvent("o-1", "bob", "reserving", Map.of("tv", 1), null, null))
        .sentNothing();
  }

  private static OrderState reserving(String order, Map<String, Integer> items) {
    return new OrderState(order, "bob", items, "reserving", Map.of(), List.of(), 0);
  }
}
