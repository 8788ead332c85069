package io.keyflow.examples.shop;

import io.keyflow.examples.shop.Events.OrderEvent;
import io.keyflow.examples.shop.Messages.Approval;
import io.keyflow.examples.shop.Messages.ApprovalTimeout;
import io.keyflow.examples.shop.Messages.OrderRequest;
import io.keyflow.examples.shop.Messages.Reservation;
import io.keyflow.examples.shop.Messages.StockRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunction;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code shop/checkout}, one workflow per order.
 *
 * <ol>
 *   <li>Reserve every item with its {@code shop/inventory}; if any is short, release the rest and
 *       cancel.
 *   <li>At or below the approval threshold, confirm. Above it, wait for an {@link Approval} on the
 *       {@code approvals} topic; a delayed message cancels the order when the wait times out.
 *   <li>Confirming commits the reservations; cancelling or rejecting releases them.
 * </ol>
 *
 * Each status change is written to {@code orders}. A {@code shop.types/StatusQuery} message (any
 * body) through the HTTP gateway is answered with the order's current status.
 */
final class CheckoutFn implements StatefulFunction {
  static final TypeName TYPE = TypeName.typeNameOf("shop", "checkout");
  private static final Logger LOG = LoggerFactory.getLogger(CheckoutFn.class);

  static final String RESERVING = "reserving";
  static final String AWAITING_APPROVAL = "awaiting-approval";
  static final String CONFIRMED = "confirmed";
  static final String CANCELLED = "cancelled";
  static final String REJECTED = "rejected";

  record OrderState(
      String order,
      String user,
      Map<String, Integer> items,
      String status,
      Map<String, Integer> reserved,
      List<String> missing,
      long total) {
    OrderState with(String newStatus) {
      return new OrderState(order, user, items, newStatus, reserved, missing, total);
    }

    boolean allAnswered() {
      return reserved.size() + missing.size() == items.size();
    }
  }

  static final ValueSpec<OrderState> STATE =
      ValueSpec.named("order").withCustomType(Json.type("OrderState", OrderState.class));

  private final ShopSettings settings;

  CheckoutFn(ShopSettings settings) {
    this.settings = settings;
  }

  @Override
  public CompletableFuture<Void> apply(Context context, Message message) {
    OrderState state = context.storage().get(STATE).orElse(null);
    if (message.valueTypeName().equals(Messages.STATUS_QUERY)) {
      ShopOutput.reply(
          context,
          state == null
              ? new OrderEvent(
                  context.self().id(), null, "unknown", Map.of(), null, "no such order")
              : event(state, null));
    } else if (message.is(Messages.ORDER_REQUEST)) {
      if (state == null) {
        start(context, message.as(Messages.ORDER_REQUEST));
      } else {
        LOG.warn("Order {} exists already; ignoring a second request for it", state.order());
      }
    } else if (state == null) {
      LOG.warn(
          "Order {} is unknown; ignoring a message of type {}",
          context.self().id(),
          message.valueTypeName());
    } else if (message.is(Messages.RESERVATION)) {
      onReservation(context, state, message.as(Messages.RESERVATION));
    } else if (message.is(Messages.APPROVAL)) {
      onApproval(context, state, message.as(Messages.APPROVAL));
    } else if (message.is(Messages.APPROVAL_TIMEOUT)) {
      if (state.status().equals(AWAITING_APPROVAL)) {
        finish(context, state, CANCELLED, "approval timed out after " + settings.approvalTimeout());
      }
    } else {
      LOG.warn("Order {} got a message of unknown type {}", state.order(), message.valueTypeName());
    }
    return context.done();
  }

  private void start(Context context, OrderRequest request) {
    OrderState state =
        new OrderState(
            request.order(),
            request.user(),
            new TreeMap<>(request.items()),
            RESERVING,
            new TreeMap<>(),
            new ArrayList<>(),
            0);
    request
        .items()
        .forEach((item, quantity) -> stock(context, item, "reserve", state.order(), quantity));
    context.storage().set(STATE, state);
    publish(context, state, null);
  }

  private void onReservation(Context context, OrderState state, Reservation reservation) {
    if (!state.status().equals(RESERVING)) {
      return;
    }
    if (reservation.reserved()) {
      state.reserved().put(reservation.item(), reservation.quantity());
      state =
          new OrderState(
              state.order(),
              state.user(),
              state.items(),
              state.status(),
              state.reserved(),
              state.missing(),
              state.total() + reservation.price() * reservation.quantity());
    } else {
      state.missing().add(reservation.item());
    }
    if (!state.allAnswered()) {
      context.storage().set(STATE, state);
      return;
    }
    if (!state.missing().isEmpty()) {
      finish(context, state, CANCELLED, "out of stock: " + String.join(", ", state.missing()));
    } else if (state.total() > settings.approvalThreshold()) {
      state = state.with(AWAITING_APPROVAL);
      context.sendAfter(
          settings.approvalTimeout(),
          timeoutToken(state),
          MessageBuilder.forAddress(context.self())
              .withCustomType(Messages.APPROVAL_TIMEOUT, new ApprovalTimeout(state.order()))
              .build());
      context.storage().set(STATE, state);
      publish(context, state, "total above " + settings.approvalThreshold() + ": needs approval");
    } else {
      finish(context, state, CONFIRMED, null);
    }
  }

  private void onApproval(Context context, OrderState state, Approval approval) {
    if (!state.status().equals(AWAITING_APPROVAL)) {
      LOG.info("Order {} is {}; ignoring a late approval", state.order(), state.status());
      return;
    }
    context.cancelDelayedMessage(timeoutToken(state));
    String by = approval.by() == null ? "" : " by " + approval.by();
    if (approval.approved()) {
      finish(context, state, CONFIRMED, "approved" + by);
    } else {
      finish(context, state, REJECTED, "rejected" + by);
    }
  }

  /** Ends the workflow: commits the reservations when confirmed, releases them otherwise. */
  private void finish(Context context, OrderState state, String status, String reason) {
    String action = status.equals(CONFIRMED) ? "commit" : "release";
    state.reserved().forEach((item, quantity) -> stock(context, item, action, state.order(), 0));
    OrderState done = state.with(status);
    context.storage().set(STATE, done);
    publish(context, done, reason);
  }

  private static void stock(
      Context context, String item, String action, String order, int quantity) {
    context.send(
        MessageBuilder.forAddress(InventoryFn.TYPE, item)
            .withCustomType(Messages.STOCK_REQUEST, new StockRequest(action, order, quantity))
            .build());
  }

  private static String timeoutToken(OrderState state) {
    return "approval-timeout-" + state.order();
  }

  private static void publish(Context context, OrderState state, String reason) {
    ShopOutput.write(context, ShopOutput.ORDERS, state.order(), event(state, reason));
  }

  private static OrderEvent event(OrderState state, String reason) {
    return new OrderEvent(
        state.order(),
        state.user(),
        state.status(),
        state.items(),
        state.status().equals(RESERVING) ? null : state.total(),
        reason);
  }
}
