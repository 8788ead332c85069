package io.keyflow.examples.shop;

import java.util.Map;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * The shop's messages. Those from Kafka are what users type: {@code {"action":"add","item":
 * "apple","quantity":2}} on the {@code cart} topic, and so on (see the README).
 */
public final class Messages {
  private Messages() {}

  /** To {@code shop/cart/<user>}: {@code add}, {@code remove}, {@code view} or {@code checkout}. */
  public record CartCommand(String action, String item, Integer quantity, String order) {}

  /**
   * To {@code shop/inventory/<item>}: {@code restock} (quantity, price in cents) or {@code view}.
   */
  public record InventoryCommand(String action, Integer quantity, Long price) {}

  /** To {@code shop/checkout/<order>}: a human's decision on an order above the threshold. */
  public record Approval(boolean approved, String by) {}

  /** From a cart to {@code shop/checkout/<order>}: start the order's workflow. */
  public record OrderRequest(String order, String user, Map<String, Integer> items) {}

  /**
   * From checkout to {@code shop/inventory/<item>}: {@code reserve}, {@code release}, {@code
   * commit}.
   */
  public record StockRequest(String action, String order, int quantity) {}

  /** From inventory back to the order: whether the items were reserved, and their unit price. */
  public record Reservation(
      String order, String item, int quantity, boolean reserved, long price) {}

  /** A checkout's delayed message to itself: the approval window has closed. */
  public record ApprovalTimeout(String order) {}

  /** To {@code shop/checkout/<order>} through the gateway: asks for the order's status. */
  public static final org.apache.flink.statefun.sdk.java.TypeName STATUS_QUERY =
      org.apache.flink.statefun.sdk.java.TypeName.typeNameOf("shop.types", "StatusQuery");

  public static final Type<CartCommand> CART_COMMAND = Json.type("CartCommand", CartCommand.class);
  public static final Type<InventoryCommand> INVENTORY_COMMAND =
      Json.type("InventoryCommand", InventoryCommand.class);
  public static final Type<Approval> APPROVAL = Json.type("Approval", Approval.class);
  public static final Type<OrderRequest> ORDER_REQUEST =
      Json.type("OrderRequest", OrderRequest.class);
  public static final Type<StockRequest> STOCK_REQUEST =
      Json.type("StockRequest", StockRequest.class);
  public static final Type<Reservation> RESERVATION = Json.type("Reservation", Reservation.class);
  public static final Type<ApprovalTimeout> APPROVAL_TIMEOUT =
      Json.type("ApprovalTimeout", ApprovalTimeout.class);
}
