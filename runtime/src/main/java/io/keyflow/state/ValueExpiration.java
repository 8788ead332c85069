package io.keyflow.state;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.FromFunction.ExpirationSpec;
import java.io.Serializable;

/**
 * When a function's value expires, as the function declared it: never, a time after it was last
 * written, or a time after it was last read or written. Recorded with the value's serializer, so
 * that a savepoint tells offline tools when each value expires.
 *
 * @param mode what restarts the clock
 * @param afterMillis the time to live in milliseconds (0 for {@link Mode#NONE} and {@link
 *     Mode#UNKNOWN})
 */
public record ValueExpiration(Mode mode, long afterMillis) implements Serializable {
  /** A value that never expires. */
  public static final ValueExpiration NONE = new ValueExpiration(Mode.NONE, 0);

  /** Read from a savepoint written before expirations were recorded. */
  public static final ValueExpiration UNKNOWN = new ValueExpiration(Mode.UNKNOWN, 0);

  /** What restarts a value's time to live. */
  public enum Mode {
    NONE,
    AFTER_WRITE,
    AFTER_INVOKE,
    UNKNOWN
  }

  public ValueExpiration {
    if ((mode == Mode.AFTER_WRITE || mode == Mode.AFTER_INVOKE) && afterMillis <= 0) {
      throw new IllegalArgumentException(
          "an expiring value needs a positive time to live, got " + afterMillis + " ms");
    }
  }

  /** Whether the value expires at all. */
  public boolean expires() {
    return mode == Mode.AFTER_WRITE || mode == Mode.AFTER_INVOKE;
  }

  static ValueExpiration of(String value, ExpirationSpec spec, TypeName function) {
    return switch (spec.getMode()) {
      case NONE -> NONE;
      case AFTER_WRITE -> checked(value, Mode.AFTER_WRITE, spec.getExpireAfterMillis(), function);
      case AFTER_INVOKE -> checked(value, Mode.AFTER_INVOKE, spec.getExpireAfterMillis(), function);
      default ->
          throw StateSpecException.badSpec(
              function, value, "unknown expiration mode " + spec.getModeValue());
    };
  }

  private static ValueExpiration checked(String value, Mode mode, long millis, TypeName function) {
    if (millis <= 0) {
      throw StateSpecException.badSpec(
          function, value, "expiration needs a positive duration, got " + millis);
    }
    return new ValueExpiration(mode, millis);
  }
}
