package io.keyflow.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.slice.Slices;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * A value as it travels on the wire: its typename and its serialized bytes. Read it back with the
 * SDK type that wrote it ({@link #as(Type)}) or as text ({@link #utf8()}).
 *
 * <pre>{@code
 * Value view = Value.of(CART_VIEW, new CartView("alice", Map.of("apple", 2)));
 * CartView back = view.as(CART_VIEW);
 * }</pre>
 */
public final class Value {
  private final String typename;
  private final byte[] bytes;

  private Value(String typename, byte[] bytes) {
    this.typename = Objects.requireNonNull(typename, "typename");
    this.bytes = Objects.requireNonNull(bytes, "bytes").clone();
  }

  /** {@code value} serialized with the SDK type {@code type}. */
  public static <T> Value of(Type<T> type, T value) {
    return new Value(
        type.typeName().asTypeNameString(), type.typeSerializer().serialize(value).toByteArray());
  }

  /** Raw bytes under {@code typename} (such as {@code shop.types/CartCommand}). */
  public static Value ofBytes(String typename, byte[] bytes) {
    return new Value(typename, bytes);
  }

  /** Text as UTF-8 bytes under {@code typename}, for JSON messages for example. */
  public static Value ofUtf8(String typename, String text) {
    return new Value(typename, text.getBytes(StandardCharsets.UTF_8));
  }

  public String typename() {
    return typename;
  }

  /** A copy of the serialized bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The bytes as UTF-8 text. */
  public String utf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Whether this value was written under {@code type}'s typename. */
  public boolean hasType(Type<?> type) {
    return typename.equals(type.typeName().asTypeNameString());
  }

  /**
   * The value read with {@code type}.
   *
   * @throws AssertionError if the value carries another typename, or its bytes do not deserialize
   */
  public <T> T as(Type<T> type) {
    String expected = type.typeName().asTypeNameString();
    if (!typename.equals(expected)) {
      throw new AssertionError("expected a value of type " + expected + " but found " + this);
    }
    try {
      return type.typeSerializer().deserialize(Slices.wrap(bytes));
    } catch (RuntimeException e) {
      throw new AssertionError("the bytes of " + this + " are no valid " + expected, e);
    }
  }

  /** The typename as the SDK's {@link TypeName}. */
  public TypeName typeName() {
    return TypeName.typeNameFromString(typename);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Value other
        && typename.equals(other.typename)
        && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * typename.hashCode() + Arrays.hashCode(bytes);
  }

  /** The typename and the bytes as text when they are printable UTF-8, otherwise in hex. */
  @Override
  public String toString() {
    return typename + " " + Printable.bytes(bytes);
  }
}
