package io.keyflow.io;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.gateway.GatewayReply;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;

/**
 * Replies to calls made through the HTTP gateway.
 *
 * <p>A gateway call reaches its function with the caller {@code keyflow/reply:<invocation id>}. The
 * function replies by sending a message to that caller, as it would answer any other function. The
 * dispatcher does not deliver such a message to a function: it hands it, as a {@link GatewayReply},
 * to the egress {@link #EGRESS} that the gateway declares, which writes it to the reply topic.
 */
public final class Replies {

  /** The function type of a gateway caller; messages to it are replies. */
  public static final TypeName CALLER_TYPE = new TypeName("keyflow", "reply");

  /** The id of the egress that receives the replies, declared by the gateway. */
  public static final TypeName EGRESS = new TypeName("keyflow", "reply");

  /** The typename of the records the reply egress receives, each a {@link GatewayReply}. */
  public static final String RECORD_TYPENAME = "type.googleapis.com/keyflow.gateway.GatewayReply";

  /**
   * The typename of the reply to an admin request (an inspection or control of one address): a
   * {@code keyflow.control.ControlAnswer}.
   */
  public static final String CONTROL_ANSWER_TYPENAME =
      "type.googleapis.com/keyflow.control.ControlAnswer";

  private Replies() {}

  /** The caller address a function sees for the gateway call {@code invocationId}. */
  public static Address caller(String invocationId) {
    return Address.newBuilder()
        .setNamespace(CALLER_TYPE.namespace())
        .setType(CALLER_TYPE.name())
        .setId(invocationId)
        .build();
  }

  /** Whether a message to {@code target} is a reply to a gateway call. */
  public static boolean isReply(Address target) {
    return target.getType().equals(CALLER_TYPE.name())
        && target.getNamespace().equals(CALLER_TYPE.namespace());
  }

  /** The record the reply egress receives for a reply from {@code from} to {@code target}. */
  public static TypedValue record(Address from, Address target, TypedValue value) {
    return TypedValue.newBuilder()
        .setTypename(RECORD_TYPENAME)
        .setHasValue(true)
        .setValue(
            GatewayReply.newBuilder()
                .setInvocationId(target.getId())
                .setValue(value)
                .setFrom(from)
                .build()
                .toByteString())
        .build();
  }
}
