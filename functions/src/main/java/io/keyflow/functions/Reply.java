package io.keyflow.functions;

import java.util.Optional;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * Answers a call made through Keyflow's HTTP gateway, in one line:
 *
 * <pre>{@code
 * Reply.to(context, CART_VIEW, view);
 * }</pre>
 *
 * <p>A gateway call reaches the function with the caller {@code keyflow/reply:<invocation id>}; a
 * reply is a message to that caller, so any StateFun SDK can reply by sending to {@code
 * context.caller()}. Keyflow writes the first reply to the gateway's reply topic and the waiting
 * HTTP call returns it.
 */
public final class Reply {

  /** The caller type of gateway calls. */
  public static final TypeName CALLER_TYPE = TypeName.typeNameOf("keyflow", "reply");

  private Reply() {}

  /** The gateway call the message being handled belongs to, if it came through the gateway. */
  public static Optional<Address> caller(Context context) {
    return context.caller().filter(caller -> caller.type().equals(CALLER_TYPE));
  }

  /**
   * Replies with {@code value} when the message being handled came through the gateway.
   *
   * @return whether there was a gateway call to reply to
   */
  public static <T> boolean to(Context context, Type<T> type, T value) {
    Optional<Address> caller = caller(context);
    caller.ifPresent(
        address ->
            context.send(MessageBuilder.forAddress(address).withCustomType(type, value).build()));
    return caller.isPresent();
  }
}
