package io.keyflow.state;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Stores a function's value as opaque bytes, and remembers in its snapshot the typename the
 * function declared for it and its expiration. Restoring the value under another typename is
 * refused, so a function that changes a value's type cannot silently read bytes of the old type.
 * The expiration is recorded only so that offline tools can tell when a value expires; a changed
 * expiration stays compatible.
 */
public final class TypedBytesSerializer extends TypeSerializer<byte[]> {
  private static final long serialVersionUID = 1L;
  private static final byte[] EMPTY = new byte[0];

  private final String typename;
  private final ValueExpiration expiration;

  /** A serializer for a value that never expires. */
  public TypedBytesSerializer(String typename) {
    this(typename, ValueExpiration.NONE);
  }

  public TypedBytesSerializer(String typename, ValueExpiration expiration) {
    this.typename = Objects.requireNonNull(typename);
    this.expiration = Objects.requireNonNull(expiration);
  }

  public String typename() {
    return typename;
  }

  /** The expiration the function declared for the value. */
  public ValueExpiration expiration() {
    return expiration;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<byte[]> duplicate() {
    return this;
  }

  @Override
  public byte[] createInstance() {
    return EMPTY;
  }

  @Override
  public byte[] copy(byte[] from) {
    return Arrays.copyOf(from, from.length);
  }

  @Override
  public byte[] copy(byte[] from, byte[] reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(byte[] record, DataOutputView target) throws IOException {
    target.writeInt(record.length);
    target.write(record);
  }

  @Override
  public byte[] deserialize(DataInputView source) throws IOException {
    byte[] bytes = new byte[source.readInt()];
    source.readFully(bytes);
    return bytes;
  }

  @Override
  public byte[] deserialize(byte[] reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    target.write(source, length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TypedBytesSerializer other
        && other.typename.equals(typename)
        && other.expiration.equals(expiration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(typename, expiration);
  }

  @Override
  public TypeSerializerSnapshot<byte[]> snapshotConfiguration() {
    return new TypedBytesSerializerSnapshot(typename, expiration);
  }
}
