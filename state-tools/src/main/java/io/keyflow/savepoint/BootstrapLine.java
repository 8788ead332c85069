package io.keyflow.savepoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.module.TypeName;
import io.keyflow.state.ValueExpiration;
import io.keyflow.state.ValueText;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One line of bootstrap input: an address and the values to give it. The same shape a dump writes;
 * a dump's {@code inflight}, {@code backlog} and {@code delayed} must be empty (pending work is not
 * bootstrapped) unless the caller drops them.
 *
 * @param function the function type
 * @param id the address id (the key)
 * @param values the values to store
 */
record BootstrapLine(TypeName function, String id, List<Value> values) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * A value to store.
   *
   * @param declared its name, typename and expiration
   * @param bytes the stored bytes
   * @param touchedAt when its time to live started, for expiring values
   */
  record Value(DeclaredValue declared, byte[] bytes, long touchedAt) {}

  /**
   * Parses one line.
   *
   * @param ignorePending whether non-empty pending work is dropped rather than refused
   * @param now the time to live's start for expiring values without {@code expiresAt}
   * @throws IllegalArgumentException naming the field and what is accepted
   */
  static BootstrapLine parse(String line, boolean ignorePending, long now) {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("expected a JSON object {\"function\":..., \"id\":...}");
    }
    TypeName function;
    try {
      function = TypeName.parse(node.path("function").asText(""));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "function: missing or not a function type; expected namespace/type such as shop/cart");
    }
    JsonNode id = node.get("id");
    if (id == null || !id.isTextual()) {
      throw new IllegalArgumentException("id: missing or not a string");
    }
    if (!ignorePending) {
      for (String pending : List.of("inflight", "backlog", "delayed")) {
        if (node.path(pending).size() > 0) {
          throw new IllegalArgumentException(
              pending
                  + ": not empty; bootstrap writes values only. Remove the pending work or pass"
                  + " --values-only to drop it");
        }
      }
    }
    JsonNode values = node.path("values");
    if (!values.isMissingNode() && !values.isObject()) {
      throw new IllegalArgumentException("values: must be an object of value name to value");
    }
    List<Value> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : values.properties()) {
      String where = "values." + e.getKey();
      JsonNode value = e.getValue();
      byte[] bytes = ValueText.read(value, where);
      ValueExpiration expiration = expiration(value.path("expiration"), where);
      long touchedAt = now;
      if (expiration.expires() && value.has("expiresAt")) {
        try {
          touchedAt =
              Instant.parse(value.get("expiresAt").asText()).toEpochMilli()
                  - expiration.afterMillis();
        } catch (DateTimeParseException ex) {
          throw new IllegalArgumentException(
              where + ".expiresAt: not an ISO-8601 instant such as 2025-01-31T12:00:00Z");
        }
      }
      out.add(
          new Value(
              new DeclaredValue(
                  function,
                  e.getKey(),
                  value.get(ValueText.TYPENAME).asText(),
                  expiration,
                  expiration.expires()),
              bytes,
              touchedAt));
    }
    return new BootstrapLine(function, id.asText(), out);
  }

  private static ValueExpiration expiration(JsonNode node, String where) {
    if (node.isMissingNode() || node.isNull()) {
      return ValueExpiration.NONE;
    }
    String mode = node.path("mode").asText("");
    long after = node.path("afterMillis").asLong(0);
    try {
      ValueExpiration.Mode parsed = ValueExpiration.Mode.valueOf(mode);
      if (parsed == ValueExpiration.Mode.UNKNOWN) {
        throw new IllegalArgumentException(mode);
      }
      return new ValueExpiration(parsed, after);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where
              + ".expiration: expected {\"mode\": \"NONE\", \"AFTER_WRITE\" or \"AFTER_INVOKE\","
              + " \"afterMillis\": a positive number}, got "
              + node);
    }
  }
}
