package io.keyflow.examples.shop;

import io.keyflow.examples.shop.Events.CartView;
import io.keyflow.examples.shop.Messages.CartCommand;
import io.keyflow.examples.shop.Messages.OrderRequest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunction;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;

/**
 * {@code shop/cart}, one per user: items and quantities. {@code checkout} hands the items to a new
 * order ({@code shop/checkout/<order>}) and empties the cart. Every command answers on {@code
 * cart-views} with the cart's content, or with the reason it was refused. A cart left with items is
 * reminded of on {@code cart-reminders} ({@link CartReminders}).
 */
final class CartFn implements StatefulFunction {
  static final TypeName TYPE = TypeName.typeNameOf("shop", "cart");

  /** The cart's items and how many orders this user has placed (for order ids). */
  record CartState(Map<String, Integer> items, int orders) {}

  static final ValueSpec<CartState> STATE =
      ValueSpec.named("cart").withCustomType(Json.type("CartState", CartState.class));

  private final CartReminders reminders;

  CartFn(CartReminders reminders) {
    this.reminders = reminders;
  }

  @Override
  public CompletableFuture<Void> apply(Context context, Message message) {
    String user = context.self().id();
    CartState cart = context.storage().get(STATE).orElse(new CartState(new TreeMap<>(), 0));
    Map<String, Integer> items = new TreeMap<>(cart.items());
    if (CartReminders.isReminder(message)) {
      CartReminders.remind(context, user, items, message);
      return context.done();
    }
    CartCommand command;
    try {
      command = message.as(Messages.CART_COMMAND);
    } catch (RuntimeException e) {
      return refuse(context, user, items, e.getMessage());
    }
    String action = command.action() == null ? "" : command.action();
    switch (action) {
      case "add" -> {
        if (command.item() == null || quantity(command) <= 0) {
          return refuse(context, user, items, "add needs an item and a positive quantity");
        }
        items.merge(command.item(), quantity(command), Integer::sum);
      }
      case "remove" -> {
        Integer had = items.get(command.item());
        if (had == null) {
          return refuse(context, user, items, "the cart has no " + command.item());
        }
        int left = command.quantity() == null ? 0 : had - command.quantity();
        if (left > 0) {
          items.put(command.item(), left);
        } else {
          items.remove(command.item());
        }
      }
      case "view" -> {
        ShopOutput.write(
            context, ShopOutput.CART_VIEWS, user, new CartView(user, items, null, null));
        return context.done();
      }
      case "checkout" -> {
        if (items.isEmpty()) {
          return refuse(context, user, items, "the cart is empty");
        }
        int orders = cart.orders() + 1;
        String order = command.order() != null ? command.order() : user + "-" + orders;
        context.send(
            MessageBuilder.forAddress(CheckoutFn.TYPE, order)
                .withCustomType(Messages.ORDER_REQUEST, new OrderRequest(order, user, items))
                .build());
        context.storage().set(STATE, new CartState(new TreeMap<>(), orders));
        reminders.stop(context, user);
        ShopOutput.write(
            context, ShopOutput.CART_VIEWS, user, new CartView(user, Map.of(), order, null));
        return context.done();
      }
      default -> {
        return refuse(
            context, user, items, "unknown action '" + action + "' (add, remove, view, checkout)");
      }
    }
    context.storage().set(STATE, new CartState(items, cart.orders()));
    if (items.isEmpty()) {
      reminders.stop(context, user);
    } else {
      reminders.start(context, user);
    }
    ShopOutput.write(context, ShopOutput.CART_VIEWS, user, new CartView(user, items, null, null));
    return context.done();
  }

  private static int quantity(CartCommand command) {
    return command.quantity() == null ? 1 : command.quantity();
  }

  private static CompletableFuture<Void> refuse(
      Context context, String user, Map<String, Integer> items, String why) {
    ShopOutput.write(context, ShopOutput.CART_VIEWS, user, new CartView(user, items, null, why));
    return context.done();
  }
}
