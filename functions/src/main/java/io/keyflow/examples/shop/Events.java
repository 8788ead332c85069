package io.keyflow.examples.shop;

import java.util.Map;

/** What the shop writes to its output topics, as JSON. */
public final class Events {
  private Events() {}

  /** To topic {@code cart-views}: a cart's content after a command, or why a command failed. */
  public record CartView(String user, Map<String, Integer> items, String order, String error) {}

  /** To topic {@code orders}: an order's status when it changes. */
  public record OrderEvent(
      String order,
      String user,
      String status,
      Map<String, Integer> items,
      Long total,
      String reason) {}

  /**
   * To topic {@code cart-reminders}: a cart left with items, at the scheduled time of the reminder.
   */
  public record CartReminder(String user, Map<String, Integer> items, String fireTime) {}

  /** To topic {@code stock}: an item's stock after a change. */
  public record StockLevel(String item, long available, long reserved, long price, String error) {}
}
