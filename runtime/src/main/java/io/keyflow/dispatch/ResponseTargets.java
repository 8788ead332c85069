package io.keyflow.dispatch;

import io.keyflow.io.Replies;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.TraceContext;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.FromFunction.EgressMessage;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.schedule.Schedules;
import java.util.Map;
import org.apache.flink.util.OutputTag;

/** Checks where a function's response sends things, and addresses them. */
final class ResponseTargets {
  private final FunctionRegistry functions;
  private final Map<TypeName, OutputTag<TypedValue>> egresses;
  private final OutputTag<TypedValue> replies;

  ResponseTargets(FunctionRegistry functions, Map<TypeName, OutputTag<TypedValue>> egresses) {
    this.functions = functions;
    this.egresses = egresses;
    this.replies = egresses.get(Replies.EGRESS);
  }

  /**
   * The side output of the gateway's reply egress when {@code target} is a gateway caller and
   * module.yaml declares a gateway; null otherwise.
   */
  OutputTag<TypedValue> replyOrNull(Address target) {
    return replies != null && Replies.isReply(target) ? replies : null;
  }

  /**
   * A message from {@code sender}; its target must be a function type some endpoint serves, or a
   * schedule's built-in address.
   *
   * @param trace the trace it belongs to; null for none
   */
  Envelope message(
      AddressKey sender, Address target, TypedValue argument, String what, TraceContext trace) {
    if (Replies.isReply(target)) {
      throw DispatchException.badAddress(
          sender,
          what + " to the gateway caller " + target.getId(),
          new IllegalArgumentException(
              replies != null
                  ? "replies to gateway calls cannot be delayed; send the reply as an immediate message"
                  : "module.yaml declares no gateway (kind io.keyflow.gateway.v1/http) to take"
                      + " the reply"));
    }
    TypeName type;
    try {
      type = new TypeName(target.getNamespace(), target.getType());
    } catch (IllegalArgumentException e) {
      throw DispatchException.badAddress(sender, what + " with a malformed target", e);
    }
    if (!functions.serves(type) && !Schedules.isScheduleAddress(target)) {
      throw DispatchException.noEndpointForMessage(
          sender, new AddressKey(type, target.getId()), functions.boundPatterns());
    }
    Envelope.Builder message =
        Envelope.newBuilder().setTarget(target).setCaller(sender.toAddress()).setPayload(argument);
    if (trace != null) {
      message.setTrace(trace);
    }
    return message.build();
  }

  /**
   * The side output of the egress an egress message names, or null when module.yaml declares no
   * such egress (or the id is malformed); the caller skips such records.
   */
  OutputTag<TypedValue> egressOrNull(EgressMessage egress) {
    try {
      return egresses.get(new TypeName(egress.getEgressNamespace(), egress.getEgressType()));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The egresses module.yaml declares, for error messages. */
  java.util.Set<TypeName> declaredEgresses() {
    return egresses.keySet();
  }
}
