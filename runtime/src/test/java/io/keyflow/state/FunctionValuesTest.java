package io.keyflow.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.FromFunction.ExpirationSpec;
import io.keyflow.protocol.reqreply.FromFunction.ExpirationSpec.ExpireMode;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueMutation;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueMutation.MutationType;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueSpec;
import io.keyflow.protocol.reqreply.ToFunction.PersistedValue;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.junit.jupiter.api.Test;

class FunctionValuesTest {
  private static final TypeName CART = TypeName.parse("shop/cart");

  /** Stands in for Flink's keyed state of one key. */
  private static final class MemoryState implements ValueState<byte[]> {
    byte[] value;

    @Override
    public byte[] value() {
      return value;
    }

    @Override
    public void update(byte[] value) {
      this.value = value;
    }

    @Override
    public void clear() {
      value = null;
    }
  }

  private final Map<String, MemoryState> states = new HashMap<>();
  private final Map<String, StateTtlConfig> ttls = new HashMap<>();
  private final Map<String, String> typenames = new HashMap<>();
  private final FunctionValues values =
      new FunctionValues(
          CART,
          (name, serializer, ttl) -> {
            typenames.put(name, serializer.typename());
            if (ttl != null) {
              ttls.put(name, ttl);
            }
            return states.computeIfAbsent(name, n -> new MemoryState());
          });

  private static PersistedValueSpec spec(String name, String typename) {
    return PersistedValueSpec.newBuilder().setStateName(name).setTypeTypename(typename).build();
  }

  private static PersistedValueMutation modify(String name, String typename, String value) {
    return PersistedValueMutation.newBuilder()
        .setMutationType(MutationType.MODIFY)
        .setStateName(name)
        .setStateValue(
            TypedValue.newBuilder()
                .setTypename(typename)
                .setHasValue(true)
                .setValue(ByteString.copyFromUtf8(value)))
        .build();
  }

  @Test
  void registeredValuesAreSentAbsentUntilWrittenThenWithTheirTypename() throws Exception {
    values.register(List.of(spec("items", "shop/Items"), spec("total", "")));

    assertThat(values.read())
        .extracting(PersistedValue::getStateName, PersistedValue::hasStateValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("items", false),
            org.assertj.core.groups.Tuple.tuple("total", false));
    assertThat(typenames)
        .containsEntry("shop/cart/items", "shop/Items")
        .containsEntry("shop/cart/total", FunctionValues.UNSET_TYPENAME);

    values.apply("alice", List.of(modify("items", "shop/Items", "[1]")));

    PersistedValue items = values.read().get(0);
    assertThat(items.getStateValue().getTypename()).isEqualTo("shop/Items");
    assertThat(items.getStateValue().getHasValue()).isTrue();
    assertThat(items.getStateValue().getValue().toStringUtf8()).isEqualTo("[1]");
  }

  @Test
  void modifyWithEmptyBytesKeepsAPresentValue() throws Exception {
    values.register(List.of(spec("n", "io.statefun.types/int")));
    values.apply("alice", List.of(modify("n", "io.statefun.types/int", "")));

    assertThat(values.read().get(0).hasStateValue()).isTrue();
    assertThat(values.read().get(0).getStateValue().getValue().size()).isZero();
  }

  @Test
  void deleteClearsTheValue() throws Exception {
    values.register(List.of(spec("items", "shop/Items")));
    values.apply("alice", List.of(modify("items", "shop/Items", "x")));
    values.apply(
        "alice",
        List.of(
            PersistedValueMutation.newBuilder()
                .setMutationType(MutationType.DELETE)
                .setStateName("items")
                .build()));

    assertThat(values.read().get(0).hasStateValue()).isFalse();
  }

  @Test
  void modifyWithAnotherTypenameIsRefusedNamingBoth() {
    values.register(List.of(spec("items", "shop/Items")));

    assertThatThrownBy(() -> values.apply("alice", List.of(modify("items", "shop/Other", "x"))))
        .isInstanceOf(StateSpecException.class)
        .hasMessageContaining("shop/cart (id alice)")
        .hasMessageContaining("shop/Other")
        .hasMessageContaining("shop/Items");
  }

  @Test
  void mutationOfAnUndeclaredValueIsRefused() {
    assertThatThrownBy(() -> values.apply("alice", List.of(modify("ghost", "t/x", "x"))))
        .isInstanceOf(StateSpecException.class)
        .hasMessageContaining("'ghost'")
        .hasMessageContaining("never declared");
  }

  @Test
  void redeclaringAValueWithAnotherTypenameIsRefused() {
    values.register(List.of(spec("items", "shop/Items")));

    assertThatThrownBy(() -> values.register(List.of(spec("items", "shop/Other"))))
        .isInstanceOf(StateSpecException.class)
        .hasMessageContaining("cannot change while the job runs");
  }

  @Test
  void redeclaringTheSameValueIsANoOp() {
    values.register(List.of(spec("items", "shop/Items")));
    values.register(List.of(spec("items", "shop/Items")));

    assertThat(states).hasSize(1);
    assertThat(values.registered(List.of(spec("items", "shop/Items")))).isTrue();
    assertThat(values.registered(List.of(spec("other", "shop/Items")))).isFalse();
  }

  @Test
  void expirationMapsToProcessingTimeTtlThatNeverReturnsExpiredValues() {
    values.register(
        List.of(
            spec("w", "t/x").toBuilder()
                .setExpirationSpec(
                    ExpirationSpec.newBuilder()
                        .setMode(ExpireMode.AFTER_WRITE)
                        .setExpireAfterMillis(1500))
                .build(),
            spec("i", "t/x").toBuilder()
                .setExpirationSpec(
                    ExpirationSpec.newBuilder()
                        .setMode(ExpireMode.AFTER_INVOKE)
                        .setExpireAfterMillis(60_000))
                .build(),
            spec("n", "t/x")));

    StateTtlConfig afterWrite = ttls.get("shop/cart/w");
    assertThat(afterWrite.getTimeToLive().toMillis()).isEqualTo(1500);
    assertThat(afterWrite.getUpdateType()).isEqualTo(StateTtlConfig.UpdateType.OnCreateAndWrite);
    assertThat(afterWrite.getStateVisibility())
        .isEqualTo(StateTtlConfig.StateVisibility.NeverReturnExpired);
    assertThat(ttls.get("shop/cart/i").getUpdateType())
        .isEqualTo(StateTtlConfig.UpdateType.OnReadAndWrite);
    assertThat(ttls).doesNotContainKey("shop/cart/n");
  }

  @Test
  void expirationWithoutDurationIsRefused() {
    PersistedValueSpec bad =
        spec("w", "t/x").toBuilder()
            .setExpirationSpec(ExpirationSpec.newBuilder().setMode(ExpireMode.AFTER_WRITE))
            .build();

    assertThatThrownBy(() -> values.register(List.of(bad)))
        .isInstanceOf(StateSpecException.class)
        .hasMessageContaining("positive duration");
  }

  @Test
  void rememberedValuesAreInspectedAndClearedButNotSentUntilTheFunctionDeclaresThem()
      throws Exception {
    assertThat(values.known()).isFalse();
    values.remember(List.of(spec("items", "shop/Items")));
    states.computeIfAbsent("shop/cart/items", n -> new MemoryState()).value =
        "apple".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    assertThat(values.known()).isTrue();
    assertThat(values.fromCheckpoint()).isTrue();
    assertThat(values.read()).as("calls still let the function declare its values").isEmpty();
    assertThat(values.inspect())
        .extracting(FunctionValues.Inspected::name, v -> new String(v.bytes()))
        .containsExactly(org.assertj.core.groups.Tuple.tuple("items", "apple"));
    assertThat(values.clearAll()).containsExactly("items");
    assertThat(states.get("shop/cart/items").value).isNull();
    assertThat(values.specs()).containsExactly(spec("items", "shop/Items"));
  }

  @Test
  void anAnsweredCallMakesTheDeclaredValuesTheWholeTruth() {
    values.remember(List.of(spec("items", "shop/Items"), spec("dropped", "shop/Old")));
    values.confirm();
    values.register(List.of(spec("items", "shop/Items"), spec("added", "shop/New")));

    assertThat(values.fromCheckpoint()).isFalse();
    assertThat(values.known()).isTrue();
    assertThat(values.specs())
        .containsExactly(spec("items", "shop/Items"), spec("added", "shop/New"));
  }

  @Test
  void aRememberedValueInspectedBeforeTheFirstCallCannotBeRedeclaredWithAnotherTypename()
      throws Exception {
    values.remember(List.of(spec("items", "shop/Items")));
    values.inspect();
    values.confirm();

    assertThatThrownBy(() -> values.register(List.of(spec("items", "shop/Other"))))
        .isInstanceOf(StateSpecException.class)
        .hasMessageContaining("cannot change while the job runs");
  }

  @Test
  void rememberingNoValuesMeansTheTypeDeclaresNone() throws Exception {
    values.remember(List.of());

    assertThat(values.known()).isTrue();
    assertThat(values.inspect()).isEmpty();
    assertThat(values.clearAll()).isEmpty();
  }
}
