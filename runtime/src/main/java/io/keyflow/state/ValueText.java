package io.keyflow.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyflow.protocol.types.BooleanWrapper;
import io.keyflow.protocol.types.DoubleWrapper;
import io.keyflow.protocol.types.FloatWrapper;
import io.keyflow.protocol.types.IntWrapper;
import io.keyflow.protocol.types.LongWrapper;
import io.keyflow.protocol.types.StringWrapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Turns a typed value's bytes into readable JSON fields and back, losslessly. A value is written
 * with its {@code typename} and exactly one of:
 *
 * <ul>
 *   <li>{@code value}: a StateFun primitive type ({@code io.statefun.types/int, long, float,
 *       double, bool, string}) as a JSON number, boolean or string;
 *   <li>{@code json}: UTF-8 JSON that reads back to the same bytes when written compactly;
 *   <li>{@code text}: other UTF-8 text;
 *   <li>{@code base64}: anything else.
 * </ul>
 *
 * Reading a field back gives exactly the bytes that were written, so a dump can be bootstrapped.
 */
public final class ValueText {
  public static final String TYPENAME = "typename";
  public static final String VALUE = "value";
  public static final String JSON = "json";
  public static final String TEXT = "text";
  public static final String BASE64 = "base64";

  private static final String PRIMITIVES = "io.statefun.types/";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ValueText() {}

  /** Adds {@code typename} and the readable form of {@code bytes} to {@code node}. */
  public static void write(ObjectNode node, String typename, byte[] bytes) {
    node.put(TYPENAME, typename);
    if (typename.startsWith(PRIMITIVES) && writePrimitive(node, typename, bytes)) {
      return;
    }
    String text = utf8(bytes);
    if (text == null) {
      node.put(BASE64, Base64.getEncoder().encodeToString(bytes));
      return;
    }
    JsonNode json = jsonExactly(text);
    if (json != null) {
      node.set(JSON, json);
    } else {
      node.put(TEXT, text);
    }
  }

  /**
   * The bytes {@code node} describes.
   *
   * @param where names the node in errors, such as {@code values.count}
   * @throws IllegalArgumentException naming the field and what is accepted
   */
  public static byte[] read(JsonNode node, String where) {
    String typename = node.path(TYPENAME).asText("");
    if (typename.isEmpty() || typename.indexOf('/') <= 0) {
      throw new IllegalArgumentException(
          where + ".typename: missing or not a typename; expected namespace/name");
    }
    int forms =
        (node.has(VALUE) ? 1 : 0)
            + (node.has(JSON) ? 1 : 0)
            + (node.has(TEXT) ? 1 : 0)
            + (node.has(BASE64) ? 1 : 0);
    if (forms != 1) {
      throw new IllegalArgumentException(
          where + ": needs exactly one of value, json, text or base64, found " + forms);
    }
    if (node.has(VALUE)) {
      return primitive(typename, node.get(VALUE), where);
    }
    if (node.has(JSON)) {
      try {
        return MAPPER.writeValueAsBytes(node.get(JSON));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(where + ".json: " + e.getOriginalMessage(), e);
      }
    }
    if (node.has(TEXT)) {
      if (!node.get(TEXT).isTextual()) {
        throw new IllegalArgumentException(where + ".text: must be a string");
      }
      return node.get(TEXT).asText().getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Base64.getDecoder().decode(node.get(BASE64).asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ".base64: not base64 (" + e.getMessage() + ")");
    }
  }

  private static boolean writePrimitive(ObjectNode node, String typename, byte[] bytes) {
    try {
      switch (typename.substring(PRIMITIVES.length())) {
        case "int" -> node.put(VALUE, IntWrapper.parseFrom(bytes).getValue());
        case "long" -> node.put(VALUE, LongWrapper.parseFrom(bytes).getValue());
        case "float" -> node.put(VALUE, FloatWrapper.parseFrom(bytes).getValue());
        case "double" -> node.put(VALUE, DoubleWrapper.parseFrom(bytes).getValue());
        case "bool" -> node.put(VALUE, BooleanWrapper.parseFrom(bytes).getValue());
        case "string" -> node.put(VALUE, StringWrapper.parseFrom(bytes).getValue());
        default -> {
          return false;
        }
      }
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
    // Only a canonical encoding reads back to the same bytes; anything else stays base64.
    if (java.util.Arrays.equals(primitive(typename, node.get(VALUE), VALUE), bytes)) {
      return true;
    }
    node.remove(VALUE);
    return false;
  }

  private static byte[] primitive(String typename, JsonNode value, String where) {
    String type = typename.startsWith(PRIMITIVES) ? typename.substring(PRIMITIVES.length()) : "";
    switch (type) {
      case "int" -> {
        requireNumber(value, where);
        return IntWrapper.newBuilder().setValue(value.intValue()).build().toByteArray();
      }
      case "long" -> {
        requireNumber(value, where);
        return LongWrapper.newBuilder().setValue(value.longValue()).build().toByteArray();
      }
      case "float" -> {
        requireNumber(value, where);
        return FloatWrapper.newBuilder().setValue(value.floatValue()).build().toByteArray();
      }
      case "double" -> {
        requireNumber(value, where);
        return DoubleWrapper.newBuilder().setValue(value.doubleValue()).build().toByteArray();
      }
      case "bool" -> {
        if (!value.isBoolean()) {
          throw new IllegalArgumentException(where + ".value: must be true or false");
        }
        return BooleanWrapper.newBuilder().setValue(value.booleanValue()).build().toByteArray();
      }
      case "string" -> {
        if (!value.isTextual()) {
          throw new IllegalArgumentException(where + ".value: must be a string");
        }
        return StringWrapper.newBuilder().setValue(value.textValue()).build().toByteArray();
      }
      default ->
          throw new IllegalArgumentException(
              where
                  + ".value: only for io.statefun.types/int, long, float, double, bool and string;"
                  + " give "
                  + typename
                  + " as json, text or base64");
    }
  }

  private static void requireNumber(JsonNode value, String where) {
    if (!value.isNumber()) {
      throw new IllegalArgumentException(where + ".value: must be a number");
    }
  }

  /** The text of {@code bytes} if they are valid UTF-8 without control characters, else null. */
  private static String utf8(byte[] bytes) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
        return null;
      }
    }
    return text;
  }

  /** The JSON object or array {@code text} holds if writing it compactly gives {@code text}. */
  private static JsonNode jsonExactly(String text) {
    if (text.isEmpty() || (text.charAt(0) != '{' && text.charAt(0) != '[')) {
      return null;
    }
    try {
      JsonNode parsed = MAPPER.readTree(text);
      return MAPPER.writeValueAsString(parsed).equals(text) ? parsed : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
