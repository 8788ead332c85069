package io.keyflow.savepoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.state.ValueText;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the pending work of a bootstrap line, in the shape the dump writes it: messages of the
 * in-flight request and of the backlog ({@code caller} and a typed value), and delayed messages the
 * address sent ({@code dueAt}, {@code token}, {@code target} and a typed value).
 */
final class PendingText {
  private PendingText() {}

  /**
   * A delayed message waiting for its time.
   *
   * @param dueAt when it is delivered, epoch milliseconds
   * @param token its cancellation token, empty when it cannot be cancelled
   * @param target the address it goes to
   * @param message the message
   */
  record Delayed(long dueAt, String token, Address target, TypedValue message) {}

  /** The messages of {@code field} (an array of invocations, or absent). */
  static List<Invocation> invocations(JsonNode line, String field) {
    JsonNode array = array(line, field);
    List<Invocation> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String where = field + "[" + i + "]";
      JsonNode node = array.get(i);
      Invocation.Builder invocation = Invocation.newBuilder().setArgument(message(node, where));
      if (node.has("caller")) {
        invocation.setCaller(address(node.get("caller"), where + ".caller"));
      }
      out.add(invocation.build());
    }
    return out;
  }

  /** The delayed messages of a line, each token at most once. */
  static List<Delayed> delayed(JsonNode line) {
    JsonNode array = array(line, "delayed");
    List<Delayed> out = new ArrayList<>(array.size());
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      String where = "delayed[" + i + "]";
      JsonNode node = array.get(i);
      long dueAt;
      try {
        dueAt = Instant.parse(node.path("dueAt").asText("")).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            where + ".dueAt: missing or not an ISO-8601 instant such as 2025-01-31T12:00:00Z");
      }
      String token = node.path("token").asText("");
      if (!token.isEmpty() && !tokens.add(token)) {
        throw new IllegalArgumentException(
            where
                + ".token: "
                + token
                + " is pending twice; a cancellation token names one message of its sender");
      }
      out.add(
          new Delayed(
              dueAt, token, address(node.get("target"), where + ".target"), message(node, where)));
    }
    return out;
  }

  /** Reads {@code namespace/type/id}; the id may itself contain slashes. */
  static Address address(JsonNode node, String where) {
    String text = node == null || !node.isTextual() ? "" : node.asText();
    int first = text.indexOf('/');
    int second = first < 0 ? -1 : text.indexOf('/', first + 1);
    if (first <= 0 || second <= first + 1) {
      throw new IllegalArgumentException(
          where + ": missing or not an address; expected namespace/type/id such as shop/cart/bob");
    }
    return Address.newBuilder()
        .setNamespace(text.substring(0, first))
        .setType(text.substring(first + 1, second))
        .setId(text.substring(second + 1))
        .build();
  }

  private static TypedValue message(JsonNode node, String where) {
    byte[] bytes = ValueText.read(node, where);
    return TypedValue.newBuilder()
        .setTypename(node.get(ValueText.TYPENAME).asText())
        .setHasValue(true)
        .setValue(ByteString.copyFrom(bytes))
        .build();
  }

  private static JsonNode array(JsonNode line, String field) {
    JsonNode array = line.path(field);
    if (array.isMissingNode() || array.isNull()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    }
    if (!array.isArray()) {
      throw new IllegalArgumentException(field + ": must be an array");
    }
    return array;
  }
}
