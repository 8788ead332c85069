package io.keyflow.savepoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.state.ValueExpiration;
import io.keyflow.state.ValueText;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One line of bootstrap input: an address, the values to give it and its pending work. The same
 * shape a dump writes.
 *
 * @param function the function type
 * @param id the address id (the key)
 * @param values the values to store
 * @param inflight the messages of the request the address has outstanding; a job started from the
 *     savepoint sends them again
 * @param backlog messages waiting behind that request, oldest first
 * @param delayed delayed messages the address sent that are still pending
 */
record BootstrapLine(
    TypeName function,
    String id,
    List<Value> values,
    List<Invocation> inflight,
    List<Invocation> backlog,
    List<PendingText.Delayed> delayed) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * When an expiring value's time to live last restarted, for values whose duration the function
   * declares (a StateFun savepoint does not record it).
   */
  static final String TTL_TOUCHED_AT = "ttlTouchedAt";

  /**
   * A value to store.
   *
   * @param declared its name, typename and expiration
   * @param bytes the stored bytes
   * @param touchedAt when its time to live started, for values stored with one
   */
  record Value(DeclaredValue declared, byte[] bytes, long touchedAt) {}

  /**
   * Parses one line.
   *
   * @param valuesOnly whether pending work (in-flight, backlog and delayed messages) is dropped
   * @param now the time to live's start for expiring values without {@code expiresAt}
   * @throws IllegalArgumentException naming the field and what is accepted
   */
  static BootstrapLine parse(String line, boolean valuesOnly, long now) {
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
      boolean ttl = expiration.expires();
      if (value.has(TTL_TOUCHED_AT)) {
        if (ttl) {
          throw new IllegalArgumentException(
              where + ": give either expiration (with expiresAt) or ttlTouchedAt, not both");
        }
        // Expiring, but the duration is the function's to declare: the job applies it from here.
        expiration = ValueExpiration.UNKNOWN;
        ttl = true;
        touchedAt = instant(value.get(TTL_TOUCHED_AT), where + "." + TTL_TOUCHED_AT);
      } else if (expiration.expires() && value.has("expiresAt")) {
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
                  function, e.getKey(), value.get(ValueText.TYPENAME).asText(), expiration, ttl),
              bytes,
              touchedAt));
    }
    if (valuesOnly) {
      return new BootstrapLine(function, id.asText(), out, List.of(), List.of(), List.of());
    }
    return new BootstrapLine(
        function,
        id.asText(),
        out,
        PendingText.invocations(node, "inflight"),
        PendingText.invocations(node, "backlog"),
        PendingText.delayed(node));
  }

  /** Whether the line carries work that a restored job still has to do. */
  boolean hasPending() {
    return !inflight.isEmpty() || !backlog.isEmpty() || !delayed.isEmpty();
  }

  private static long instant(JsonNode node, String where) {
    try {
      return Instant.parse(node.asText("")).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          where + ": not an ISO-8601 instant such as 2025-01-31T12:00:00Z");
    }
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
