package io.keyflow.examples.shop;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.types.SimpleType;
import org.apache.flink.statefun.sdk.java.types.Type;

/** JSON types for the shop's messages and state: each record travels under its own typename. */
final class Json {
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private Json() {}

  /** A StateFun type for {@code type}, encoded as JSON, named {@code shop.types/<name>}. */
  static <T> Type<T> type(String name, Class<T> type) {
    return SimpleType.simpleImmutableTypeFrom(
        TypeName.typeNameOf("shop.types", name), Json::encode, bytes -> decode(bytes, type));
  }

  static byte[] encode(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T decode(byte[] bytes, Class<T> type) {
    try {
      return MAPPER.readValue(bytes, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not a valid " + type.getSimpleName() + " JSON document: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "not a valid " + type.getSimpleName() + " JSON document: " + e.getMessage(), e);
    }
  }
}
