package io.keyflow.examples.shop;

import java.time.Duration;

/**
 * The shop's business settings.
 *
 * @param approvalThreshold order totals above this (in cents) wait for a human approval
 * @param approvalTimeout how long an order waits for approval before it is cancelled
 * @param cartReminder how long after its last change a cart with items is reminded of, and again as
 *     often, three times at most
 */
public record ShopSettings(
    long approvalThreshold, Duration approvalTimeout, Duration cartReminder) {
  public static final ShopSettings DEFAULTS =
      new ShopSettings(10_000, Duration.ofMinutes(2), Duration.ofHours(1));

  /** Settings with the default cart reminder. */
  public ShopSettings(long approvalThreshold, Duration approvalTimeout) {
    this(approvalThreshold, approvalTimeout, DEFAULTS.cartReminder());
  }

  /**
   * The defaults, overridden by the environment variables {@code SHOP_APPROVAL_THRESHOLD} (cents),
   * {@code SHOP_APPROVAL_TIMEOUT} and {@code SHOP_CART_REMINDER} (ISO-8601 such as {@code PT30S},
   * or seconds).
   */
  public static ShopSettings fromEnvironment() {
    String threshold = System.getenv("SHOP_APPROVAL_THRESHOLD");
    String timeout = System.getenv("SHOP_APPROVAL_TIMEOUT");
    String reminder = System.getenv("SHOP_CART_REMINDER");
    return new ShopSettings(
        threshold == null ? DEFAULTS.approvalThreshold() : Long.parseLong(threshold.trim()),
        timeout == null ? DEFAULTS.approvalTimeout() : duration(timeout.trim()),
        reminder == null ? DEFAULTS.cartReminder() : duration(reminder.trim()));
  }

  private static Duration duration(String text) {
    return text.chars().allMatch(Character::isDigit)
        ? Duration.ofSeconds(Long.parseLong(text))
        : Duration.parse(text);
  }
}
