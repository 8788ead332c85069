package io.keyflow.examples.shop;

import java.time.Duration;

/**
 * The shop's business settings.
 *
 * @param approvalThreshold order totals above this (in cents) wait for a human approval
 * @param approvalTimeout how long an order waits for approval before it is cancelled
 */
public record ShopSettings(long approvalThreshold, Duration approvalTimeout) {
  public static final ShopSettings DEFAULTS = new ShopSettings(10_000, Duration.ofMinutes(2));

  /**
   * The defaults, overridden by the environment variables {@code SHOP_APPROVAL_THRESHOLD} (cents)
   * and {@code SHOP_APPROVAL_TIMEOUT} (ISO-8601 such as {@code PT30S}, or seconds).
   */
  public static ShopSettings fromEnvironment() {
    String threshold = System.getenv("SHOP_APPROVAL_THRESHOLD");
    String timeout = System.getenv("SHOP_APPROVAL_TIMEOUT");
    return new ShopSettings(
        threshold == null ? DEFAULTS.approvalThreshold() : Long.parseLong(threshold.trim()),
        timeout == null ? DEFAULTS.approvalTimeout() : duration(timeout.trim()));
  }

  private static Duration duration(String text) {
    return text.chars().allMatch(Character::isDigit)
        ? Duration.ofSeconds(Long.parseLong(text))
        : Duration.parse(text);
  }
}
