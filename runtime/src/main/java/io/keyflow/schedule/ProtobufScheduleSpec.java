package io.keyflow.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.keyflow.protocol.schedule.SetSchedule;
import java.util.Base64;
import java.util.Map;

/**
 * Reads the protobuf form of a {@code keyflow/schedules} set command, a {@link SetSchedule} ({@code
 * runtime/src/main/proto/io/keyflow/schedule/set-schedule.proto}), into the JSON spec it stands
 * for, so that both forms are validated by the same rules with the same messages.
 *
 * <p>Each field becomes the key of its JSON name (protobuf's own lowerCamelCase mapping, which the
 * {@code .proto} chooses to equal the spec's keys); bytes become base64, as in the JSON spec. A
 * field that is not set (an empty string, 0, an absent message) is left out, as protobuf's JSON
 * mapping does. A field this runtime does not know (a newer {@code .proto}) is refused rather than
 * ignored, as an unknown key is in JSON.
 */
final class ProtobufScheduleSpec {
  /**
   * The typename of a protobuf set command: protobuf's convention for a message type ({@code
   * type.googleapis.com/} and the message's full name), which SDKs' protobuf helpers produce.
   */
  static final String TYPE = "type.googleapis.com/keyflow.schedule.SetSchedule";

  private ProtobufScheduleSpec() {}

  /**
   * The JSON spec {@code body} stands for.
   *
   * @throws IllegalArgumentException with the reason if {@code body} is not a {@link SetSchedule}
   */
  static String toJson(ByteString body) {
    SetSchedule spec;
    try {
      spec = SetSchedule.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "the body is not a protobuf "
              + SetSchedule.getDescriptor().getFullName()
              + ": "
              + e.getMessage());
    }
    try {
      return ScheduledMessage.JSON.writeValueAsString(object(spec, "spec"));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a spec as JSON", e);
    }
  }

  private static ObjectNode object(Message message, String path) {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      throw new IllegalArgumentException(
          path
              + ": field number(s) "
              + message.getUnknownFields().asMap().keySet()
              + " are not fields of "
              + message.getDescriptorForType().getFullName()
              + " that this Keyflow knows; expected the fields of set-schedule.proto in"
              + " docs/schedules.md");
    }
    ObjectNode node = ScheduledMessage.JSON.createObjectNode();
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      FieldDescriptor d = field.getKey();
      Object value = field.getValue();
      String key = d.getJsonName();
      if (d.isRepeated()) {
        ArrayNode array = node.putArray(key);
        for (Object item : (Iterable<?>) value) {
          array.add(item.toString());
        }
      } else if (value instanceof Message nested) {
        node.set(key, object(nested, path + "." + key));
      } else if (value instanceof ByteString bytes) {
        node.put(key, Base64.getEncoder().encodeToString(bytes.toByteArray()));
      } else if (value instanceof Integer number) {
        node.put(key, number);
      } else {
        node.put(key, value.toString());
      }
    }
    return node;
  }
}
