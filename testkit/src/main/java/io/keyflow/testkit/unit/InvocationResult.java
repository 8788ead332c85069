package io.keyflow.testkit.unit;

import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueMutation;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.testkit.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;

/**
 * What a function answered to one call, decoded: its state after the call (the state it was given
 * with its mutations applied, as Keyflow applies them), the messages it sent, now and delayed, the
 * delayed messages it cancelled, the records it sent to egresses and its replies to gateway
 * callers. Assert on it with {@link InvocationAssert#assertThat(InvocationResult)}.
 */
public final class InvocationResult {
  private final Address address;
  private final Map<String, Value> stateAfter;
  private final List<SentMessage> sent;
  private final List<Value> replies;
  private final List<DelayedMessage> delayed;
  private final List<String> cancelled;
  private final List<EgressRecord> egress;

  private InvocationResult(
      Address address,
      Map<String, Value> stateAfter,
      List<SentMessage> sent,
      List<Value> replies,
      List<DelayedMessage> delayed,
      List<String> cancelled,
      List<EgressRecord> egress) {
    this.address = address;
    this.stateAfter = Collections.unmodifiableMap(stateAfter);
    this.sent = List.copyOf(sent);
    this.replies = List.copyOf(replies);
    this.delayed = List.copyOf(delayed);
    this.cancelled = List.copyOf(cancelled);
    this.egress = List.copyOf(egress);
  }

  static InvocationResult decode(
      Address address,
      ToFunction.InvocationBatchRequest request,
      DeclaredValues declared,
      FromFunction response) {
    String where = Addresses.show(address);
    Map<String, Value> state = new LinkedHashMap<>();
    for (ToFunction.PersistedValue value : request.getStateList()) {
      if (value.hasStateValue()) {
        state.put(value.getStateName(), value(value.getStateValue()));
      }
    }
    FromFunction.InvocationResponse result = response.getInvocationResult();
    for (PersistedValueMutation mutation : result.getStateMutationsList()) {
      String name = mutation.getStateName();
      if (!declared.contains(name)) {
        throw FunctionCallFailed.protocol(
            where,
            "changes value '"
                + name
                + "', which it never declared (declared: "
                + declared
                + "); Keyflow fails the job on it");
      }
      switch (mutation.getMutationType()) {
        case DELETE -> state.remove(name);
        case MODIFY -> {
          String typename = mutation.getStateValue().getTypename();
          if (!typename.equals(declared.typenameOf(name))) {
            throw FunctionCallFailed.protocol(
                where,
                "writes value '"
                    + name
                    + "' as "
                    + typename
                    + " but declared it as "
                    + declared.typenameOf(name)
                    + "; Keyflow fails the job on it");
          }
          // As in Keyflow: has_value is not consulted, a MODIFY stores the bytes it carries.
          state.put(
              name, Value.ofBytes(typename, mutation.getStateValue().getValue().toByteArray()));
        }
        default ->
            throw FunctionCallFailed.protocol(
                where, "sent an unknown mutation type " + mutation.getMutationTypeValue());
      }
    }
    List<SentMessage> sent = new ArrayList<>();
    List<Value> replies = new ArrayList<>();
    for (FromFunction.Invocation message : result.getOutgoingMessagesList()) {
      Address target = Addresses.fromWire(message.getTarget());
      if (target.type().equals(Invocation.GATEWAY_CALLER)) {
        replies.add(value(message.getArgument()));
      } else {
        sent.add(new SentMessage(target, value(message.getArgument())));
      }
    }
    List<DelayedMessage> delayed = new ArrayList<>();
    List<String> cancelled = new ArrayList<>();
    for (FromFunction.DelayedInvocation message : result.getDelayedInvocationsList()) {
      if (message.getIsCancellationRequest()) {
        cancelled.add(message.getCancellationToken());
      } else {
        delayed.add(
            new DelayedMessage(
                Addresses.fromWire(message.getTarget()),
                value(message.getArgument()),
                Duration.ofMillis(message.getDelayInMs()),
                message.getCancellationToken()));
      }
    }
    List<EgressRecord> egress = new ArrayList<>();
    for (FromFunction.EgressMessage message : result.getOutgoingEgressesList()) {
      egress.add(
          new EgressRecord(
              TypeName.typeNameOf(message.getEgressNamespace(), message.getEgressType()),
              value(message.getArgument())));
    }
    return new InvocationResult(address, state, sent, replies, delayed, cancelled, egress);
  }

  private static Value value(TypedValue value) {
    return Value.ofBytes(value.getTypename(), value.getValue().toByteArray());
  }

  /** The address that was called. */
  public Address address() {
    return address;
  }

  /** Every value the address holds after the call, by name; absent values are left out. */
  public Map<String, Value> stateAfter() {
    return stateAfter;
  }

  /** The value of {@code spec} after the call, if it holds one. */
  public <T> Optional<T> state(ValueSpec<T> spec) {
    return Optional.ofNullable(stateAfter.get(spec.name())).map(v -> v.as(spec.type()));
  }

  /** Messages sent without delay to functions, in the order sent (replies not included). */
  public List<SentMessage> sent() {
    return sent;
  }

  /** Replies to gateway callers, in the order sent. */
  public List<Value> replies() {
    return replies;
  }

  /** Messages sent with a delay, in the order sent. */
  public List<DelayedMessage> delayed() {
    return delayed;
  }

  /** Cancellation tokens of the delayed messages the function cancelled. */
  public List<String> cancelled() {
    return cancelled;
  }

  /** Records sent to egresses, in the order sent. */
  public List<EgressRecord> egress() {
    return egress;
  }

  /** The records sent to Kafka egresses, in the order sent. */
  public List<KafkaRecord> kafkaRecords() {
    return egress.stream().flatMap(e -> e.kafka().stream()).toList();
  }

  /** Everything the call did, one effect a line, for failure messages. */
  String describe() {
    StringBuilder out = new StringBuilder();
    section(
        out,
        "state after",
        stateAfter.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue()).toList());
    section(out, "sent", sent);
    section(out, "delayed", delayed);
    section(out, "cancelled", cancelled.stream().map(t -> "token '" + t + "'").toList());
    section(out, "egress", egress);
    section(out, "replies", replies);
    return out.toString();
  }

  private static void section(StringBuilder out, String title, List<?> items) {
    out.append("\n  ").append(title).append(':');
    if (items.isEmpty()) {
      out.append(" none");
    }
    for (Object item : items) {
      out.append("\n    ").append(item);
    }
  }

  @Override
  public String toString() {
    return "call to " + Addresses.show(address) + describe();
  }
}
