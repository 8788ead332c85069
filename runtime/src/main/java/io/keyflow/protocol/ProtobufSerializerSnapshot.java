package io.keyflow.protocol;

import com.google.protobuf.MessageLite;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Remembers which message class a {@link ProtobufSerializer} wrote, for restores. */
public final class ProtobufSerializerSnapshot<T extends MessageLite>
    implements TypeSerializerSnapshot<T> {
  private static final int VERSION = 1;

  private Class<T> type;

  /** For Flink's reflective instantiation on restore. */
  public ProtobufSerializerSnapshot() {}

  ProtobufSerializerSnapshot(Class<T> type) {
    this.type = type;
  }

  @Override
  public int getCurrentVersion() {
    return VERSION;
  }

  @Override
  public void writeSnapshot(DataOutputView out) throws IOException {
    out.writeUTF(type.getName());
  }

  @SuppressWarnings("unchecked")
  @Override
  public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
      throws IOException {
    String className = in.readUTF();
    try {
      type = (Class<T>) Class.forName(className, false, classLoader);
    } catch (ClassNotFoundException e) {
      throw new IOException("the state was written with message class " + className, e);
    }
  }

  @Override
  public TypeSerializer<T> restoreSerializer() {
    return new ProtobufSerializer<>(type);
  }

  @Override
  public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
      TypeSerializerSnapshot<T> oldSnapshot) {
    if (oldSnapshot instanceof ProtobufSerializerSnapshot<?> old
        && old.type.getName().equals(type.getName())) {
      return TypeSerializerSchemaCompatibility.compatibleAsIs();
    }
    return TypeSerializerSchemaCompatibility.incompatible();
  }
}
