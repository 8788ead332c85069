package io.keyflow.state;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Snapshot of a {@link TypedBytesSerializer}: compatible only with the same typename. Version 2
 * adds the value's expiration (version 1 snapshots restore as {@link ValueExpiration#UNKNOWN}).
 */
public final class TypedBytesSerializerSnapshot implements TypeSerializerSnapshot<byte[]> {
  private static final int VERSION = 2;

  private String typename;
  private ValueExpiration expiration = ValueExpiration.UNKNOWN;

  /** For Flink's reflective instantiation on restore. */
  public TypedBytesSerializerSnapshot() {}

  TypedBytesSerializerSnapshot(String typename, ValueExpiration expiration) {
    this.typename = typename;
    this.expiration = expiration;
  }

  /** The typename the value was stored under. */
  public String typename() {
    return typename;
  }

  /** The value's expiration, {@link ValueExpiration#UNKNOWN} in version 1 snapshots. */
  public ValueExpiration expiration() {
    return expiration;
  }

  @Override
  public int getCurrentVersion() {
    return VERSION;
  }

  @Override
  public void writeSnapshot(DataOutputView out) throws IOException {
    out.writeUTF(typename);
    out.writeUTF(expiration.mode().name());
    out.writeLong(expiration.afterMillis());
  }

  @Override
  public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
      throws IOException {
    typename = in.readUTF();
    if (readVersion >= 2) {
      expiration = new ValueExpiration(ValueExpiration.Mode.valueOf(in.readUTF()), in.readLong());
    } else {
      expiration = ValueExpiration.UNKNOWN;
    }
  }

  @Override
  public TypeSerializer<byte[]> restoreSerializer() {
    return new TypedBytesSerializer(typename, expiration);
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
