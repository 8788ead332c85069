package io.keyflow.testkit.unit;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.testkit.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * One call to a function, being built: the state it finds and the messages of its batch. {@link
 * #call()} sends it.
 *
 * <pre>{@code
 * InvocationResult result =
 *     shop.invoke(CheckoutFn.TYPE, "o-1")
 *         .withState(CheckoutFn.STATE, awaitingApproval)
 *         .messageFrom(new Address(CartFn.TYPE, "alice"), ORDER_REQUEST, request)
 *         .call();
 * }</pre>
 */
public final class Invocation {
  /** The caller type Keyflow gives messages that came through the HTTP gateway. */
  public static final TypeName GATEWAY_CALLER = TypeName.typeNameOf("keyflow", "reply");

  private static final AtomicLong GATEWAY_CALLS = new AtomicLong();
  private static final int MAX_HANDSHAKES = 3;

  private final FunctionTransport transport;
  private final Duration timeout;
  private final Address address;
  private final Map<String, Value> state = new LinkedHashMap<>();
  private final List<ToFunction.Invocation> batch = new ArrayList<>();

  Invocation(FunctionTransport transport, Duration timeout, Address address) {
    this.transport = transport;
    this.timeout = timeout;
    this.address = address;
  }

  /** The function finds {@code value} in {@code spec}. */
  public <T> Invocation withState(ValueSpec<T> spec, T value) {
    return withState(spec.name(), Value.of(spec.type(), value));
  }

  /** The function finds {@code value} under the value name {@code name}. */
  public Invocation withState(String name, Value value) {
    state.put(name, value);
    return this;
  }

  /** The function finds the state another call left ({@link InvocationResult#stateAfter()}). */
  public Invocation withStateOf(InvocationResult earlier) {
    state.putAll(earlier.stateAfter());
    return this;
  }

  /** Adds a message from an ingress (no caller) to the batch. */
  public <T> Invocation message(Type<T> type, T value) {
    return message(Value.of(type, value));
  }

  /** Adds a message from an ingress (no caller) to the batch. */
  public Invocation message(Value value) {
    batch.add(ToFunction.Invocation.newBuilder().setArgument(wire(value)).build());
    return this;
  }

  /** Adds a message from another function to the batch. */
  public <T> Invocation messageFrom(Address caller, Type<T> type, T value) {
    return messageFrom(caller, Value.of(type, value));
  }

  /** Adds a message from another function to the batch. */
  public Invocation messageFrom(Address caller, Value value) {
    batch.add(
        ToFunction.Invocation.newBuilder()
            .setCaller(Addresses.toWire(caller))
            .setArgument(wire(value))
            .build());
    return this;
  }

  /**
   * Adds a call through the HTTP gateway to the batch: the caller is {@code keyflow/reply:<id>},
   * and what the function sends there comes back in {@link InvocationResult#replies()}.
   */
  public <T> Invocation gatewayCall(Type<T> type, T value) {
    return gatewayCall(Value.of(type, value));
  }

  /** Adds a call through the HTTP gateway with a value given as typename and bytes. */
  public Invocation gatewayCall(Value value) {
    return messageFrom(
        new Address(GATEWAY_CALLER, "test-call-" + GATEWAY_CALLS.incrementAndGet()), value);
  }

  /**
   * Sends the batch and decodes the answer. Runs the missing-values handshake first, as a fresh
   * Keyflow job does.
   *
   * @throws FunctionCallFailed if the function fails, or answers what Keyflow would refuse
   * @throws IllegalStateException if the batch is empty
   */
  public InvocationResult call() {
    if (batch.isEmpty()) {
      throw new IllegalStateException(
          "the call to " + Addresses.show(address) + " has no message; add one with message(...)");
    }
    String where = Addresses.show(address);
    DeclaredValues declared = new DeclaredValues();
    for (int round = 0; round < MAX_HANDSHAKES; round++) {
      ToFunction.InvocationBatchRequest request = request(declared);
      FromFunction response = decode(transport.exchange(toFunction(request), timeout));
      if (response.hasIncompleteInvocationContext()) {
        if (!declared.register(
            response.getIncompleteInvocationContext().getMissingValuesList(), where)) {
          throw FunctionCallFailed.protocol(
              where,
              "asks again for values it was sent: "
                  + declared
                  + "; Keyflow would repeat the request forever");
        }
        checkGivenTypes(declared, where);
        continue;
      }
      checkGivenDeclared(declared, where);
      return InvocationResult.decode(address, request, declared, response);
    }
    throw FunctionCallFailed.protocol(
        where, "kept asking for missing values after " + MAX_HANDSHAKES + " requests");
  }

  /** The batch with one entry per registered value: the given value, or none. */
  private ToFunction.InvocationBatchRequest request(DeclaredValues declared) {
    ToFunction.InvocationBatchRequest.Builder request =
        ToFunction.InvocationBatchRequest.newBuilder()
            .setTarget(Addresses.toWire(address))
            .addAllInvocations(batch);
    for (String name : declared.names()) {
      ToFunction.PersistedValue.Builder persisted =
          ToFunction.PersistedValue.newBuilder().setStateName(name);
      Value given = state.get(name);
      if (given != null) {
        persisted.setStateValue(wire(given));
      }
      request.addState(persisted);
    }
    return request.build();
  }

  private void checkGivenTypes(DeclaredValues declared, String where) {
    for (Map.Entry<String, Value> given : state.entrySet()) {
      String name = given.getKey();
      if (declared.contains(name)
          && !declared.typenameOf(name).equals(given.getValue().typename())) {
        throw new IllegalArgumentException(
            "the test gives "
                + where
                + " value '"
                + name
                + "' as "
                + given.getValue().typename()
                + ", but the function declares it as "
                + declared.typenameOf(name));
      }
    }
  }

  private void checkGivenDeclared(DeclaredValues declared, String where) {
    for (String name : state.keySet()) {
      if (!declared.contains(name)) {
        throw new IllegalArgumentException(
            "the test gives "
                + where
                + " value '"
                + name
                + "', which the function does not declare (it declares "
                + declared
                + "); Keyflow would never pass it. Declare it with withValueSpec(...)"
                + " or drop it from the test");
      }
    }
  }

  private static byte[] toFunction(ToFunction.InvocationBatchRequest request) {
    return ToFunction.newBuilder().setInvocation(request).build().toByteArray();
  }

  private FromFunction decode(byte[] bytes) {
    try {
      return FromFunction.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw FunctionCallFailed.protocol(
          Addresses.show(address),
          "answered " + bytes.length + " bytes that are no FromFunction message: " + e);
    }
  }

  static TypedValue wire(Value value) {
    return TypedValue.newBuilder()
        .setTypename(value.typename())
        .setHasValue(true)
        .setValue(ByteString.copyFrom(value.bytes()))
        .build();
  }
}
