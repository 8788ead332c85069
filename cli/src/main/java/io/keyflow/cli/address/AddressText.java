package io.keyflow.cli.address;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** An admin answer as lines for a terminal: the outcome, then the address as the job holds it. */
final class AddressText {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AddressText() {}

  static String render(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringBuilder out = new StringBuilder();
    if (root.has("outcome")) {
      out.append(root.get("outcome").asText()).append('\n');
    }
    out.append(root.path("address").asText())
        .append("  (subtask ")
        .append(root.path("subtask").asInt())
        .append(", as of ")
        .append(root.path("asOf").asText())
        .append(")\n");
    if (root.has("schedule")) {
      schedule(out, root.get("schedule"));
      return out.toString();
    }
    line(out, "paused", root.path("paused").asBoolean() ? "yes" : "no");
    JsonNode values = root.path("values");
    if (!root.path("valuesKnown").asBoolean() && values.isEmpty()) {
      line(out, "values", "not known yet: the type has not answered a call since the job started");
    } else if (values.isEmpty()) {
      line(out, "values", "none declared");
    } else {
      if (root.has("valuesKnownFrom")) {
        line(out, "values", "known from " + root.get("valuesKnownFrom").asText());
      }
      Iterator<Map.Entry<String, JsonNode>> it = values.properties().iterator();
      boolean first = !root.has("valuesKnownFrom");
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> value = it.next();
        line(out, first ? "values" : "", value.getKey() + " = " + value(value.getValue()));
        first = false;
      }
    }
    JsonNode inFlight = root.path("inFlight");
    if (inFlight.isMissingNode()) {
      line(out, "in flight", "none");
    } else {
      line(
          out,
          "in flight",
          inFlight.path("messages").asInt()
              + " message(s) since "
              + inFlight.path("since").asText()
              + ", "
              + inFlight.path("calls").asInt()
              + " call(s), "
              + inFlight.path("failedAttempts").asInt()
              + " failed attempt(s)"
              + (inFlight.path("waiting").asBoolean() ? ", waiting to be sent again" : ""));
      if (inFlight.hasNonNull("lastError")) {
        line(out, "", "last error: " + inFlight.get("lastError").asText());
      }
      if (inFlight.has("first")) {
        line(out, "", "first: " + message(inFlight.get("first")));
      }
    }
    line(out, "backlog", root.path("backlog").asLong() + " waiting");
    if (root.has("oldestWaiting")) {
      line(out, "", "oldest: " + message(root.get("oldestWaiting")));
    }
    JsonNode delayed = root.path("delayed");
    line(out, "delayed", delayed.size() + " pending");
    for (JsonNode delay : delayed) {
      line(
          out,
          "",
          "due "
              + delay.path("dueAt").asText()
              + " (in "
              + seconds(delay.path("dueInMillis").asLong())
              + ")"
              + (delay.has("token") ? "  token " + delay.get("token").asText() : "  no token")
              + "  to "
              + delay.path("target").asText()
              + ": "
              + typed(delay));
    }
    return out.toString();
  }

  private static void schedule(StringBuilder out, JsonNode schedule) {
    if (schedule.isNull()) {
      line(out, "schedule", "none with this id");
      return;
    }
    List<String> ids = new java.util.ArrayList<>();
    schedule.path("targetIds").forEach(id -> ids.add(id.asText()));
    line(out, "schedule", schedule.path("kind").asText());
    line(out, "target", schedule.path("targetType").asText() + " ids " + String.join(", ", ids));
    line(
        out,
        "timing",
        schedule.has("cron")
            ? "cron " + schedule.get("cron").asText() + " in " + schedule.path("timeZone").asText()
            : "every " + schedule.path("every").asText());
    line(
        out,
        "next fire",
        schedule.path("ended").asBoolean()
            ? "none: it has ended"
            : schedule.path("nextFire").asText());
    line(
        out,
        "fires",
        schedule.path("fires").asLong()
            + " delivered, "
            + schedule.path("missed").asLong()
            + " missed, "
            + schedule.path("late").asLong()
            + " late; catch-up "
            + schedule.path("catchUp").asText());
    if (schedule.has("messageType")) {
      line(out, "message", schedule.get("messageType").asText());
    }
  }

  private static String value(JsonNode value) {
    String text;
    if (value.has("withheld")) {
      text = "(not read: " + value.get("withheld").asText() + ")";
    } else if (value.path("absent").asBoolean()) {
      text = "(absent)";
    } else {
      text = body(value);
    }
    String out = text + "  [" + value.path("typename").asText() + "]";
    JsonNode expiration = value.path("expiration");
    if (!expiration.isMissingNode()) {
      out +=
          "  expires "
              + seconds(expiration.path("afterMillis").asLong())
              + " after "
              + (expiration.path("mode").asText().equals("AFTER_WRITE")
                  ? "its last write"
                  : "its last read or write")
              + (expiration.has("expiresAt")
                  ? " (when: " + expiration.get("expiresAt").asText() + ")"
                  : "");
    }
    return out;
  }

  private static String message(JsonNode message) {
    return (message.has("caller") ? "from " + message.get("caller").asText() + ": " : "")
        + typed(message);
  }

  private static String typed(JsonNode node) {
    return node.path("typename").asText() + " " + body(node);
  }

  private static String body(JsonNode node) {
    if (node.has("value")) {
      return node.get("value").toString();
    }
    if (node.has("json")) {
      return node.get("json").toString();
    }
    if (node.has("text")) {
      return node.get("text").asText();
    }
    return "base64:" + node.path("base64").asText();
  }

  private static String seconds(long millis) {
    return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static void line(StringBuilder out, String label, String text) {
    out.append(String.format(java.util.Locale.ROOT, "  %-10s %s%n", label, text));
  }
}
