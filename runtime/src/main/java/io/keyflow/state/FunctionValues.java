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
 *
 * <p><b>Remembered specs.</b> The dispatcher also checkpoints the specs it learned, and hands them
 * back after a restart through {@link #remember}. They serve inspection and deletion only, until
 * the type answers a call ({@link #confirm}): calls still go out without them, so the first call
 * after a restart lets the function declare its values afresh (a new value, a changed expiration)
 * exactly as before. A remembered value's state is bound when it is first inspected or deleted; if
 * that happens before the first call, an expiration the function changed meanwhile applies from the
 * next restart, as Flink keeps the first binding of a state for the task's life.
 */
public final class FunctionValues {
  /** Registered when a function declares a value without a type. */
  public static final String UNSET_TYPENAME = "io.statefun.types/unset";

  private final TypeName function;
  private final ValueStateBinder binder;
  private final Map<String, Registered> values = new LinkedHashMap<>();

  /** Specs from the restored checkpoint; null when it had none for this type. */
  private Map<String, PersistedValueSpec> remembered;

  /** The states of remembered values, bound on first inspection or deletion. */
  private final Map<String, Registered> rememberedStates = new java.util.HashMap<>();

  /** Whether the type has answered a call since the task started. */
  private boolean confirmed;

  public FunctionValues(TypeName function, ValueStateBinder binder) {
    this.function = function;
    this.binder = binder;
  }

  private record Registered(
      PersistedValueSpec spec,
      String typename,
      ValueExpiration expiration,
      ValueState<byte[]> state) {}

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
      Registered inspected = rememberedStates.get(name);
      if (inspected != null && !inspected.typename.equals(typename)) {
        // Flink keeps the state bound for inspection with the restored typename's serializer.
        throw StateSpecException.typenameChanged(function, name, inspected.typename, typename);
      }
      values.put(name, bind(spec, typename));
    }
  }

  private Registered bind(PersistedValueSpec spec, String typename) {
    String name = spec.getStateName();
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
    return new Registered(spec, typename, expiration, state);
  }

  /**
   * Hands over the specs the restored checkpoint recorded for this type (possibly none: the type
   * declared no values), so that its values are known before its first call.
   */
  public void remember(List<PersistedValueSpec> specs) {
    remembered = new LinkedHashMap<>();
    for (PersistedValueSpec spec : specs) {
      remembered.putIfAbsent(spec.getStateName(), spec);
    }
  }

  /**
   * The type answered a call: from now on its registrations are the whole truth and remembered
   * specs are dropped. Cheap; called for every answer.
   */
  public void confirm() {
    if (!confirmed) {
      confirmed = true;
      // The states bound for inspection stay known: a redeclaration must match their typename.
      remembered = null;
    }
  }

  /**
   * Whether the values are known: the type has answered a call since the task started, or the
   * restored checkpoint recorded them.
   */
  public boolean known() {
    return confirmed || remembered != null;
  }

  /** Whether the values are known from the restored checkpoint only, not from a call yet. */
  public boolean fromCheckpoint() {
    return !confirmed && remembered != null;
  }

  /** The specs to checkpoint: the registered ones, and remembered ones not confirmed by a call. */
  public List<PersistedValueSpec> specs() {
    List<PersistedValueSpec> out = new ArrayList<>();
    for (Registered value : values.values()) {
      out.add(value.spec);
    }
    if (remembered != null) {
      for (PersistedValueSpec spec : remembered.values()) {
        if (!values.containsKey(spec.getStateName())) {
          out.add(spec);
        }
      }
    }
    return out;
  }

  /**
   * Every value this type is known to have: the registered ones, then those only remembered from
   * the restored checkpoint (bound here, on first use).
   */
  private List<Map.Entry<String, Registered>> knownValues() {
    List<Map.Entry<String, Registered>> out = new ArrayList<>(values.entrySet());
    if (remembered != null) {
      for (PersistedValueSpec spec : remembered.values()) {
        if (!values.containsKey(spec.getStateName())) {
          String typename =
              spec.getTypeTypename().isEmpty() ? UNSET_TYPENAME : spec.getTypeTypename();
          Registered bound =
              rememberedStates.computeIfAbsent(spec.getStateName(), n -> bind(spec, typename));
          out.add(Map.entry(spec.getStateName(), bound));
        }
      }
    }
    return out;
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
    for (Map.Entry<String, Registered> e : knownValues()) {
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
    List<String> cleared = new ArrayList<>();
    for (Map.Entry<String, Registered> e : knownValues()) {
      e.getValue().state.clear();
      cleared.add(e.getKey());
    }
    return cleared;
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
