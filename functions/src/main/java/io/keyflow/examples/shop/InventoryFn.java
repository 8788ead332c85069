package io.keyflow.examples.shop;

import io.keyflow.examples.shop.Events.StockLevel;
import io.keyflow.examples.shop.Messages.InventoryCommand;
import io.keyflow.examples.shop.Messages.Reservation;
import io.keyflow.examples.shop.Messages.StockRequest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunction;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;

/**
 * {@code shop/inventory}, one per item: stock available, unit price (cents), and what each open
 * order has reserved. Reservations are kept per order, so a release gives back exactly what that
 * order took, once. Every change is written to {@code stock}.
 */
final class InventoryFn implements StatefulFunction {
  static final TypeName TYPE = TypeName.typeNameOf("shop", "inventory");

  record StockState(long available, long price, Map<String, Integer> reservations) {
    long reserved() {
      return reservations.values().stream().mapToLong(Integer::longValue).sum();
    }
  }

  static final ValueSpec<StockState> STATE =
      ValueSpec.named("stock").withCustomType(Json.type("StockState", StockState.class));

  @Override
  public CompletableFuture<Void> apply(Context context, Message message) {
    String item = context.self().id();
    StockState stock = context.storage().get(STATE).orElse(new StockState(0, 0, new TreeMap<>()));
    if (message.is(Messages.STOCK_REQUEST)) {
      return onStockRequest(context, item, stock, message.as(Messages.STOCK_REQUEST));
    }
    InventoryCommand command;
    try {
      command = message.as(Messages.INVENTORY_COMMAND);
    } catch (RuntimeException e) {
      return report(context, item, stock, e.getMessage());
    }
    String action = command.action() == null ? "" : command.action();
    switch (action) {
      case "restock" -> {
        int quantity = command.quantity() == null ? 0 : command.quantity();
        if (quantity < 0 || (command.price() != null && command.price() < 0)) {
          return report(context, item, stock, "restock needs a quantity and price of 0 or more");
        }
        long price = command.price() == null ? stock.price() : command.price();
        stock = new StockState(stock.available() + quantity, price, stock.reservations());
        context.storage().set(STATE, stock);
        return report(context, item, stock, null);
      }
      case "view" -> {
        return report(context, item, stock, null);
      }
      default -> {
        return report(context, item, stock, "unknown action '" + action + "' (restock, view)");
      }
    }
  }

  private static CompletableFuture<Void> onStockRequest(
      Context context, String item, StockState stock, StockRequest request) {
    Map<String, Integer> reservations = new TreeMap<>(stock.reservations());
    long available = stock.available();
    switch (request.action()) {
      case "reserve" -> {
        boolean ok = !reservations.containsKey(request.order()) && available >= request.quantity();
        if (ok) {
          reservations.put(request.order(), request.quantity());
          available -= request.quantity();
        }
        Address caller = context.caller().orElseThrow();
        context.send(
            MessageBuilder.forAddress(caller)
                .withCustomType(
                    Messages.RESERVATION,
                    new Reservation(request.order(), item, request.quantity(), ok, stock.price()))
                .build());
      }
      case "release" -> {
        Integer held = reservations.remove(request.order());
        if (held != null) {
          available += held;
        }
      }
      case "commit" -> reservations.remove(request.order());
      default -> throw new IllegalArgumentException("unknown stock request " + request.action());
    }
    StockState next = new StockState(available, stock.price(), reservations);
    context.storage().set(STATE, next);
    return report(context, item, next, null);
  }

  private static CompletableFuture<Void> report(
      Context context, String item, StockState stock, String error) {
    ShopOutput.write(
        context,
        ShopOutput.STOCK,
        item,
        new StockLevel(item, stock.available(), stock.reserved(), stock.price(), error));
    return context.done();
  }
}
