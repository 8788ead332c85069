package io.keyflow.protocol;

import com.google.protobuf.MessageLite;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink type information for generated protobuf messages, backed by {@link ProtobufSerializer}. */
public final class ProtobufTypeInfo<T extends MessageLite> extends TypeInformation<T> {
  private static final long serialVersionUID = 1L;

  /** Messages between operators. */
  public static final ProtobufTypeInfo<Envelope> ENVELOPE = new ProtobufTypeInfo<>(Envelope.class);

  /** Records handed to egresses. */
  public static final ProtobufTypeInfo<TypedValue> TYPED_VALUE =
      new ProtobufTypeInfo<>(TypedValue.class);

  private final Class<T> type;

  public ProtobufTypeInfo(Class<T> type) {
    this.type = Objects.requireNonNull(type);
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<T> getTypeClass() {
    return type;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return new ProtobufSerializer<>(type);
  }

  @Override
  public String toString() {
    return "Protobuf<" + type.getSimpleName() + ">";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProtobufTypeInfo<?> other && other.type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof ProtobufTypeInfo;
  }
}
