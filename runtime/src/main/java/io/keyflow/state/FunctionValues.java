package io.keyflow.state;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.FromFunction.ExpirationSpec;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueMutation;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueSpec;
import io.keyflow.protocol.reqreply.ToFunction.PersistedValue;
import io.keyflow.protocol.reqreply.TypedValue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;

/**
 * The values one function type has declared, learned from its {@code IncompleteInvocationContext}
 * answers, and access to them for the current key.
 *
 * <p>Registrations live in memory and are rebuilt after every restart by the same handshake; the
 * values themselves are keyed Flink state named {@code <namespace>/<type>/<value>}, so they come
 * back from checkpoints. A value is never unregistered. Runs on the task thread only.
 */
public final class FunctionValues {
  /** Registered when a function declares a value without a type. */
  public static final String UNSET_TYPENAME = "io.statefun.types/unset";

  private final TypeName function;
  private final ValueStateBinder binder;
  private final Map<String, Registered> values = new LinkedHashMap<>();

  public FunctionValues(TypeName function, ValueStateBinder binder) {
    this.function = function;
    this.binder = binder;
  }

  private record Registered(
      String typename, ValueExpiration expiration, ValueState<byte[]> state) {}

  /**
   * A declared value of the current key, as {@link #inspect()} reports it.
   *
   * @param bytes the value, or null when the address has none (or it is withheld)
   * @param withheld the value expires a time after it was last read or written, so it was not read:
   *     reading would restart its clock
   */
  public record Inspected(
      String name, String typename, ValueExpiration expiration, byte[] bytes, boolean withheld) {}

  /** Flink state name of a declared value. Part of savepoints: never change it. */
  public static String stateName(TypeName function, String value) {
    return function.namespace() + "/" + function.name() + "/" + value;
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** Registers each spec that is new; an existing name must keep its typename. */
  public void register(List<PersistedValueSpec> specs) {
    for (PersistedValueSpec spec : specs) {
      String name = spec.getStateName();
      if (name.isEmpty()) {
        throw StateSpecException.badSpec(function, name, "the value name is empty");
      }
      String typename = spec.getTypeTypename().isEmpty() ? UNSET_TYPENAME : spec.getTypeTypename();
      Registered existing = values.get(name);
      if (existing != null) {
        if (!existing.typename.equals(typename)) {
          throw StateSpecException.typenameChanged(function, name, existing.typename, typename);
        }
        continue;
      }
      StateTtlConfig ttl = ttl(name, spec.getExpirationSpec());
      ValueExpiration expiration = ValueExpiration.of(name, spec.getExpirationSpec(), function);
      ValueState<byte[]> state;
      try {
        state =
            binder.bind(
                stateName(function, name), new TypedBytesSerializer(typename, expiration), ttl);
      } catch (Exception e) {
        throw StateSpecException.restoredWithOtherType(function, name, typename, e);
      }
      values.put(name, new Registered(typename, expiration, state));
    }
  }

  /** Whether every spec names a value that is registered already. */
  public boolean registered(List<PersistedValueSpec> specs) {
    return specs.stream().allMatch(spec -> values.containsKey(spec.getStateName()));
  }

  /** The values to ship with a request: every registered value, absent ones without a value. */
  public List<PersistedValue> read() throws IOException {
    List<PersistedValue> out = new ArrayList<>(values.size());
    for (Map.Entry<String, Registered> e : values.entrySet()) {
      PersistedValue.Builder value = PersistedValue.newBuilder().setStateName(e.getKey());
      byte[] bytes = e.getValue().state.value();
      if (bytes != null) {
        value.setStateValue(
            TypedValue.newBuilder()
                .setTypename(e.getValue().typename)
                .setHasValue(true)
                .setValue(com.google.protobuf.ByteString.copyFrom(bytes)));
      }
      out.add(value.build());
    }
    return out;
  }

  /**
   * Every registered value of the current key, without changing any: a value that expires after its
   * last read or write is reported as withheld instead of read.
   */
  public List<Inspected> inspect() throws IOException {
    List<Inspected> out = new ArrayList<>(values.size());
    for (Map.Entry<String, Registered> e : values.entrySet()) {
      Registered value = e.getValue();
      boolean withheld = value.expiration.mode() == ValueExpiration.Mode.AFTER_INVOKE;
      byte[] bytes = withheld ? null : value.state.value();
      out.add(new Inspected(e.getKey(), value.typename, value.expiration, bytes, withheld));
    }
    return out;
  }

  /**
   * Clears every registered value of the current key.
   *
   * @return the names of the values cleared
   */
  public List<String> clearAll() {
    for (Registered value : values.values()) {
      value.state.clear();
    }
    return List.copyOf(values.keySet());
  }

  /**
   * Checks mutations without applying them: each names a declared value, a MODIFY carries that
   * value's typename, and the mutation type is known. A response is checked before any of its
   * effects are applied, so a bad one is refused as a whole.
   *
   * @throws StateSpecException naming the function, id, value and problem
   */
  public void check(String id, List<PersistedValueMutation> mutations) {
    for (PersistedValueMutation mutation : mutations) {
      Registered value = values.get(mutation.getStateName());
      if (value == null) {
        throw StateSpecException.unknownValue(function, id, mutation.getStateName());
      }
      switch (mutation.getMutationType()) {
        case DELETE -> {}
        case MODIFY -> {
          String sent = mutation.getStateValue().getTypename();
          if (!sent.equals(value.typename)) {
            throw StateSpecException.modifyTypeMismatch(
                function, id, mutation.getStateName(), value.typename, sent);
          }
        }
        default ->
            throw StateSpecException.badSpec(
                function,
                mutation.getStateName(),
                "unknown mutation type " + mutation.getMutationTypeValue());
      }
    }
  }

  /** Applies mutations in order for the current key. */
  public void apply(String id, List<PersistedValueMutation> mutations) throws IOException {
    for (PersistedValueMutation mutation : mutations) {
      Registered value = values.get(mutation.getStateName());
      if (value == null) {
        throw StateSpecException.unknownValue(function, id, mutation.getStateName());
      }
      switch (mutation.getMutationType()) {
        case DELETE -> value.state.clear();
        case MODIFY -> {
          String sent = mutation.getStateValue().getTypename();
          if (!sent.equals(value.typename)) {
            throw StateSpecException.modifyTypeMismatch(
                function, id, mutation.getStateName(), value.typename, sent);
          }
          value.state.update(mutation.getStateValue().getValue().toByteArray());
        }
        default ->
            throw StateSpecException.badSpec(
                function,
                mutation.getStateName(),
                "unknown mutation type " + mutation.getMutationTypeValue());
      }
    }
  }

  private StateTtlConfig ttl(String name, ExpirationSpec spec) {
    if (spec.getMode() == ExpirationSpec.ExpireMode.NONE) {
      return null;
    }
    if (spec.getExpireAfterMillis() <= 0) {
      throw StateSpecException.badSpec(
          function,
          name,
          "expiration needs a positive duration, got " + spec.getExpireAfterMillis());
    }
    StateTtlConfig.Builder ttl =
        StateTtlConfig.newBuilder(Duration.ofMillis(spec.getExpireAfterMillis()))
            .neverReturnExpired()
            .useProcessingTime();
    return switch (spec.getMode()) {
      case AFTER_WRITE -> ttl.updateTtlOnCreateAndWrite().build();
      case AFTER_INVOKE -> ttl.updateTtlOnReadAndWrite().build();
      default ->
          throw StateSpecException.badSpec(
              function, name, "unknown expiration mode " + spec.getModeValue());
    };
  }
}
