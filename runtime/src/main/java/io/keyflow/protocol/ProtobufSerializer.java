package io.keyflow.protocol;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for a generated protobuf message: a length prefix followed by the message's own
 * bytes. Protobuf messages are immutable, so copies are the identity and the format evolves the way
 * protobuf does (add fields, never renumber).
 */
public final class ProtobufSerializer<T extends MessageLite> extends TypeSerializer<T> {
  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private transient Parser<T> parser;

  public ProtobufSerializer(Class<T> type) {
    this.type = Objects.requireNonNull(type);
  }

  Class<T> type() {
    return type;
  }

  @SuppressWarnings("unchecked")
  private Parser<T> parser() {
    if (parser == null) {
      try {
        parser = (Parser<T>) type.getMethod("parser").invoke(null);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(type.getName() + " is not a generated protobuf message", e);
      }
    }
    return parser;
  }

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public TypeSerializer<T> duplicate() {
    return this;
  }

  @SuppressWarnings("unchecked")
  @Override
  public T createInstance() {
    try {
      return (T) type.getMethod("getDefaultInstance").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(type.getName() + " is not a generated protobuf message", e);
    }
  }

  @Override
  public T copy(T from) {
    return from;
  }

  @Override
  public T copy(T from, T reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(T record, DataOutputView target) throws IOException {
    byte[] bytes = record.toByteArray();
    target.writeInt(bytes.length);
    target.write(bytes);
  }

  @Override
  public T deserialize(DataInputView source) throws IOException {
    byte[] bytes = new byte[source.readInt()];
    source.readFully(bytes);
    try {
      return parser().parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("corrupt " + type.getSimpleName() + " record", e);
    }
  }

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
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
    return o instanceof ProtobufSerializer<?> other && other.type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<T> snapshotConfiguration() {
    return new ProtobufSerializerSnapshot<>(type);
  }
}
