package io.keyflow.module;

import java.io.Serializable;

/**
 * A StateFun typename, {@code namespace/name}: it names function types, ingresses and egresses.
 *
 * <p>Like the StateFun runtime (and unlike its Java SDK, which splits on the last slash), a
 * typename has exactly one {@code /}; dots belong to the namespace, as in {@code
 * type.googleapis.com/io.statefun.sdk.egress.KafkaProducerRecord}.
 */
public record TypeName(String namespace, String name) implements Serializable {

  static final String EXPECTED = "namespace/name such as shop/cart";

  public TypeName {
    requirePart("namespace", namespace);
    requirePart("name", name);
  }

  /** Parses {@code namespace/name}; throws {@link IllegalArgumentException} otherwise. */
  public static TypeName parse(String s) {
    if (s == null) {
      throw new IllegalArgumentException("typename is missing; expected " + EXPECTED);
    }
    int slash = s.indexOf('/');
    if (slash <= 0 || slash == s.length() - 1 || s.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException(
          "'" + s + "' is not a typename; expected " + EXPECTED + " (exactly one '/')");
    }
    return new TypeName(s.substring(0, slash), s.substring(slash + 1));
  }

  private static void requirePart(String part, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("typename " + part + " is empty; expected " + EXPECTED);
    }
    if (value.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "typename " + part + " '" + value + "' contains '/'; expected " + EXPECTED);
    }
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
