package io.keyflow.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.ScheduleDefinition;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import java.time.Instant;

/**
 * The message a function receives when a schedule fires: typename {@code keyflow/schedule.fire}, a
 * JSON object, from the caller {@code keyflow/schedules/<schedule id>}:
 *
 * <pre>{@code
 * {"schedule": "low-stock-report", "fireTime": "2026-12-03T02:00:00Z",
 *  "fireTimeMillis": 1796263200000, "missed": 0,
 *  "message": {"type": "shop.types/StockReport", "json": {"threshold": 5}}}
 * }</pre>
 *
 * <p>{@code fireTime} is the scheduled time (without jitter), the same for every target and every
 * redelivery, so a function can act once per fire time. {@code missed} counts the fires dropped
 * (catch-up policy) since the previous one delivered. {@code message} is the schedule's message in
 * the shape it was declared, absent when it has none.
 */
final class FireMessage {
  /** Typename of the fire message. */
  static final String TYPE = "keyflow/schedule.fire";

  private FireMessage() {}

  /** The fire of schedule {@code id} at {@code fireTime} for {@code target}. */
  static Envelope envelope(
      String id, ScheduleDefinition definition, long fireTime, long missed, Address target) {
    return Envelope.newBuilder()
        .setTarget(target)
        .setCaller(Schedules.address(id))
        .setPayload(value(id, definition, fireTime, missed))
        .build();
  }

  static TypedValue value(String id, ScheduleDefinition definition, long fireTime, long missed) {
    ObjectNode fire = ScheduledMessage.JSON.createObjectNode();
    fire.put("schedule", id);
    fire.put("fireTime", Instant.ofEpochMilli(fireTime).toString());
    fire.put("fireTimeMillis", fireTime);
    fire.put("missed", missed);
    ScheduledMessage.write(definition, fire);
    try {
      return TypedValue.newBuilder()
          .setTypename(TYPE)
          .setHasValue(true)
          .setValue(ByteString.copyFrom(ScheduledMessage.JSON.writeValueAsBytes(fire)))
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the fire of schedule " + id, e);
    }
  }
}
