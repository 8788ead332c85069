package io.keyflow.schedule;

import io.keyflow.module.ModuleException;
import io.keyflow.protocol.reqreply.TypedValue;
import java.nio.charset.StandardCharsets;

/**
 * A message to the built-in address {@code keyflow/schedules/<id>}, read: set (create or replace)
 * the dynamic schedule {@code id}, delete it, or a message Keyflow cannot act on.
 */
sealed interface ScheduleCommand {
  /** Typename that creates or replaces a schedule; the body is its spec as JSON (or YAML). */
  String SET_TYPE = "keyflow/schedule.set";

  /** Typename that creates or replaces a schedule; the body is its spec as a protobuf message. */
  String SET_PROTOBUF_TYPE = ProtobufScheduleSpec.TYPE;

  /** Typename that deletes a schedule; the body is ignored. */
  String DELETE_TYPE = "keyflow/schedule.delete";

  /** Create or replace. */
  record Set(ScheduleSpec spec) implements ScheduleCommand {}

  /** Delete. */
  record Delete() implements ScheduleCommand {}

  /** Not a command: skipped and counted. */
  record Rejected(String reason) implements ScheduleCommand {}

  static ScheduleCommand read(String id, TypedValue message) {
    if (id.isEmpty()) {
      return new Rejected("the schedule id (the address id) is empty");
    }
    switch (message.getTypename()) {
      case SET_TYPE:
        try {
          return new Set(
              ScheduleBinder.readCommand(
                  id, SET_TYPE, message.getValue().toString(StandardCharsets.UTF_8)));
        } catch (ModuleException e) {
          return new Rejected(e.getMessage());
        }
      case SET_PROTOBUF_TYPE:
        try {
          return new Set(
              ScheduleBinder.readCommand(
                  id, SET_PROTOBUF_TYPE, ProtobufScheduleSpec.toJson(message.getValue())));
        } catch (ModuleException | IllegalArgumentException e) {
          return new Rejected(e.getMessage());
        }
      case DELETE_TYPE:
        return new Delete();
      default:
        return new Rejected(
            "typename '"
                + message.getTypename()
                + "' is not a schedule command; expected "
                + SET_TYPE
                + ", "
                + SET_PROTOBUF_TYPE
                + " or "
                + DELETE_TYPE);
    }
  }
}
