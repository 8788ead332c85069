package io.keyflow.state;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Snapshot of a {@link TypedBytesSerializer}: compatible only with the same typename. */
public final class TypedBytesSerializerSnapshot implements TypeSerializerSnapshot<byte[]> {
  private static final int VERSION = 1;

  private String typename;

  /** For Flink's reflective instantiation on restore. */
  public TypedBytesSerializerSnapshot() {}

  TypedBytesSerializerSnapshot(String typename) {
    this.typename = typename;
  }

  String typename() {
    return typename;
  }

  @Override
  public int getCurrentVersion() {
    return VERSION;
  }

  @Override
  public void writeSnapshot(DataOutputView out) throws IOException {
    out.writeUTF(typename);
  }

  @Override
  public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
      throws IOException {
    typename = in.readUTF();
  }

  @Override
  public TypeSerializer<byte[]> restoreSerializer() {
    return new TypedBytesSerializer(typename);
  }

  @Override
  public TypeSerializerSchemaCompatibility<byte[]> resolveSchemaCompatibility(
      TypeSerializerSnapshot<byte[]> oldSnapshot) {
    if (oldSnapshot instanceof TypedBytesSerializerSnapshot old && old.typename.equals(typename)) {
      return TypeSerializerSchemaCompatibility.compatibleAsIs();
    }
    return TypeSerializerSchemaCompatibility.incompatible();
  }
}
