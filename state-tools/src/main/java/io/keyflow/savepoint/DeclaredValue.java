package io.keyflow.savepoint;

import io.keyflow.module.TypeName;
import io.keyflow.state.FunctionValues;
import io.keyflow.state.ValueExpiration;
import java.io.Serializable;

/**
 * A value a function type declared, as a savepoint records it.
 *
 * @param function the function type
 * @param name the value's name as the function declares it
 * @param typename the value's typename, from its serializer's snapshot
 * @param expiration the declared expiration ({@link ValueExpiration#UNKNOWN} if the savepoint does
 *     not record it)
 * @param ttl whether the stored values carry Flink's time-to-live timestamp
 */
public record DeclaredValue(
    TypeName function, String name, String typename, ValueExpiration expiration, boolean ttl)
    implements Serializable {

  /** The Flink state name that holds this value. */
  public String stateName() {
    return FunctionValues.stateName(function, name);
  }

  /** Reads a state name {@code namespace/type/value}; null if it does not name a function value. */
  static DeclaredValue parse(
      String stateName, String typename, ValueExpiration expiration, boolean ttl) {
    int first = stateName.indexOf('/');
    int second = first < 0 ? -1 : stateName.indexOf('/', first + 1);
    if (first <= 0 || second <= first + 1 || second == stateName.length() - 1) {
      return null;
    }
    return new DeclaredValue(
        new TypeName(stateName.substring(0, first), stateName.substring(first + 1, second)),
        stateName.substring(second + 1),
        typename,
        expiration,
        ttl);
  }
}
