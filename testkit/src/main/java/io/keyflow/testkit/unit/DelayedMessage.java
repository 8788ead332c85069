package io.keyflow.testkit.unit;

import io.keyflow.testkit.Value;
import java.time.Duration;
import org.apache.flink.statefun.sdk.java.Address;

/**
 * A message a function sent with a delay.
 *
 * @param target the address it goes to
 * @param value the message
 * @param delay how long after the invocation it is delivered
 * @param cancellationToken the token that cancels it; empty when it cannot be cancelled
 */
public record DelayedMessage(
    Address target, Value value, Duration delay, String cancellationToken) {
  @Override
  public String toString() {
    return "to "
        + Addresses.show(target)
        + " after "
        + delay.toMillis()
        + " ms"
        + (cancellationToken.isEmpty() ? "" : " (token '" + cancellationToken + "')")
        + ": "
        + value;
  }
}
