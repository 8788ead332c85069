package io.keyflow.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.state.ValueExpiration.Mode;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class TypedBytesSerializerSnapshotTest {

  private static TypedBytesSerializerSnapshot roundTrip(TypedBytesSerializer serializer)
      throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
    return (TypedBytesSerializerSnapshot)
        TypeSerializerSnapshot.<byte[]>readVersionedSnapshot(
            new DataInputDeserializer(out.getCopyOfBuffer()),
            TypedBytesSerializerSnapshotTest.class.getClassLoader());
  }

  @Test
  void snapshotRecordsTheTypenameAndTheExpiration() throws Exception {
    ValueExpiration ttl = new ValueExpiration(Mode.AFTER_WRITE, 60_000);

    TypedBytesSerializerSnapshot restored =
        roundTrip(new TypedBytesSerializer("shop.types/Order", ttl));

    assertThat(restored.typename()).isEqualTo("shop.types/Order");
    assertThat(restored.expiration()).isEqualTo(ttl);
    assertThat(((TypedBytesSerializer) restored.restoreSerializer()).expiration()).isEqualTo(ttl);
  }

  @Test
  void aChangedExpirationStaysCompatibleButAChangedTypenameDoesNot() throws Exception {
    TypedBytesSerializerSnapshot old = roundTrip(new TypedBytesSerializer("a/b"));

    assertThat(
            new TypedBytesSerializer("a/b", new ValueExpiration(Mode.AFTER_INVOKE, 5))
                .snapshotConfiguration()
                .resolveSchemaCompatibility(old)
                .isCompatibleAsIs())
        .isTrue();
    assertThat(
            new TypedBytesSerializer("a/c")
                .snapshotConfiguration()
                .resolveSchemaCompatibility(old)
                .isIncompatible())
        .isTrue();
  }
}
