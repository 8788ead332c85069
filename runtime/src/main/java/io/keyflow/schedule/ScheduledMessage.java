package io.keyflow.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.keyflow.module.YamlNode;
import io.keyflow.protocol.internal.ScheduleDefinition;
import io.keyflow.protocol.internal.ScheduleDefinition.MessageFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The message a schedule carries: a typename and a value written as text, as JSON or as base64,
 * read from a spec's {@code message} and written back in the same shape into each fire message.
 */
final class ScheduledMessage {
  static final ObjectMapper JSON = new ObjectMapper();

  private ScheduledMessage() {}

  /** Reads {@code message} ({@code type} and one of {@code text}, {@code json}, {@code base64}). */
  static void read(YamlNode message, ScheduleDefinition.Builder into) {
    message.allowOnlyKeys("type", "text", "json", "base64");
    into.setMessageType(message.requireTypeName("type").toString());
    int values =
        (message.has("text") ? 1 : 0)
            + (message.has("json") ? 1 : 0)
            + (message.has("base64") ? 1 : 0);
    if (values != 1) {
      throw message.error(
          null,
          values == 0 ? "has no value" : "has more than one value",
          "exactly one of text (a string), json (JSON text or YAML data) or base64");
    }
    if (message.has("text")) {
      into.setMessageFormat(MessageFormat.TEXT)
          .setMessageValue(ByteString.copyFromUtf8(message.requireString("text")));
    } else if (message.has("base64")) {
      String text = message.requireString("base64");
      try {
        into.setMessageFormat(MessageFormat.BASE64)
            .setMessageValue(ByteString.copyFrom(Base64.getDecoder().decode(text.strip())));
      } catch (IllegalArgumentException e) {
        throw message.error("base64", "is not base64: " + e.getMessage(), "standard base64");
      }
    } else {
      into.setMessageFormat(MessageFormat.JSON)
          .setMessageValue(ByteString.copyFromUtf8(json(message)));
    }
  }

  /** A string is JSON text; other YAML data (an object, a list, a number) is converted to JSON. */
  private static String json(YamlNode message) {
    Object data = message.optionalData("json").orElseThrow();
    try {
      JsonNode tree = data instanceof String text ? JSON.readTree(text) : JSON.valueToTree(data);
      return JSON.writeValueAsString(tree);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw message.error(
          "json",
          "is not JSON: " + e.getMessage().lines().findFirst().orElse(""),
          "JSON text such as '{\"threshold\": 5}', or YAML data");
    }
  }

  /**
   * Writes the message of {@code definition} into {@code fire} as {@code message}, if it has one.
   */
  static void write(ScheduleDefinition definition, ObjectNode fire) {
    if (definition.getMessageFormat() == MessageFormat.NONE) {
      return;
    }
    ObjectNode message = fire.putObject("message");
    message.put("type", definition.getMessageType());
    ByteString value = definition.getMessageValue();
    switch (definition.getMessageFormat()) {
      case TEXT -> message.put("text", value.toString(StandardCharsets.UTF_8));
      case JSON -> message.set("json", parse(value));
      default -> message.put("base64", Base64.getEncoder().encodeToString(value.toByteArray()));
    }
  }

  private static JsonNode parse(ByteString json) {
    try {
      return JSON.readTree(json.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("a stored schedule message is not JSON", e);
    }
  }
}
