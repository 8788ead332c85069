package io.keyflow.testkit.junit;

import io.keyflow.testkit.Value;
import java.util.Optional;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * The gateway's answer to a call.
 *
 * @param status the HTTP status: 200 with the function's reply, 202 when it did not reply within
 *     the gateway's wait, 4xx for a call the gateway refused
 * @param reply the reply with its typename (header {@code X-Keyflow-Type}), when there is one
 * @param body the response body as text, for failure messages
 */
public record GatewayResponse(int status, Optional<Value> reply, String body) {
  /**
   * The reply read with {@code type}.
   *
   * @throws AssertionError if the call was not answered 200 with a reply of that type
   */
  public <T> T replyAs(Type<T> type) {
    if (status != 200 || reply.isEmpty()) {
      throw new AssertionError("Expected the gateway to answer 200 with a reply, but got " + this);
    }
    return reply.get().as(type);
  }

  @Override
  public String toString() {
    return "HTTP " + status + reply.map(v -> ": " + v).orElse(body.isEmpty() ? "" : ": " + body);
  }
}
