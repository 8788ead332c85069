package io.keyflow.testkit.unit;

import io.keyflow.testkit.Value;
import org.apache.flink.statefun.sdk.java.Address;

/**
 * A message a function sent to another function (or to itself) without delay.
 *
 * @param target the address it goes to
 * @param value the message
 */
public record SentMessage(Address target, Value value) {
  @Override
  public String toString() {
    return "to " + Addresses.show(target) + ": " + value;
  }
}
