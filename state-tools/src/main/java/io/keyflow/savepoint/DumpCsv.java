package io.keyflow.savepoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.keyflow.state.ValueText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a dump's JSON lines into CSV: one row per value, in-flight message, waiting message and
 * delayed message, a row of kind {@code paused} for a paused address and one of kind {@code
 * schedule} for a schedule (its JSON as the value, its next fire as {@code due_at}), with the
 * columns {@link #COLUMNS}.
 */
public final class DumpCsv {
  /** The CSV columns, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "function",
          "id",
          "kind",
          "name",
          "typename",
          "encoding",
          "value",
          "expires_at",
          "due_at",
          "target",
          "caller");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CsvMapper CSV = new CsvMapper();
  private static final CsvSchema SCHEMA;

  static {
    CsvSchema.Builder builder = CsvSchema.builder();
    COLUMNS.forEach(builder::addColumn);
    SCHEMA = builder.build();
  }

  private DumpCsv() {}

  /** The header line, without a line break. */
  public static String header() {
    return String.join(",", COLUMNS);
  }

  /** The CSV rows of one dump line, each ending with a line break. */
  public static String rows(String jsonLine) {
    try {
      JsonNode address = JSON.readTree(jsonLine);
      List<Map<String, String>> rows = new ArrayList<>();
      for (Map.Entry<String, JsonNode> e : address.path("values").properties()) {
        Map<String, String> row = row(address, "value", e.getValue());
        row.put("name", e.getKey());
        row.put("expires_at", e.getValue().path("expiresAt").asText(""));
        rows.add(row);
      }
      for (String kind : List.of("inflight", "backlog")) {
        for (JsonNode message : address.path(kind)) {
          Map<String, String> row = row(address, kind, message);
          row.put("caller", message.path("caller").asText(""));
          rows.add(row);
        }
      }
      for (JsonNode delayed : address.path("delayed")) {
        Map<String, String> row = row(address, "delayed", delayed);
        row.put("name", delayed.path("token").asText(""));
        row.put("due_at", delayed.path("dueAt").asText(""));
        row.put("target", delayed.path("target").asText(""));
        rows.add(row);
      }
      JsonNode schedule = address.path("schedule");
      if (schedule.isObject()) {
        Map<String, String> row = new LinkedHashMap<>();
        COLUMNS.forEach(c -> row.put(c, ""));
        row.put("function", address.path("function").asText());
        row.put("id", address.path("id").asText());
        row.put("kind", "schedule");
        row.put("name", schedule.path("kind").asText());
        row.put("encoding", ValueText.JSON);
        row.put("value", JSON.writeValueAsString(schedule));
        row.put("due_at", schedule.path("nextFire").asText(""));
        row.put("target", schedule.path("targetType").asText());
        rows.add(row);
      }
      if (address.path("paused").asBoolean()) {
        Map<String, String> row = new LinkedHashMap<>();
        COLUMNS.forEach(c -> row.put(c, ""));
        row.put("function", address.path("function").asText());
        row.put("id", address.path("id").asText());
        row.put("kind", "paused");
        rows.add(row);
      }
      StringBuilder out = new StringBuilder();
      for (Map<String, String> row : rows) {
        out.append(CSV.writer(SCHEMA).writeValueAsString(row));
      }
      return out.toString();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a dump line: " + jsonLine, e);
    }
  }

  private static Map<String, String> row(JsonNode address, String kind, JsonNode value)
      throws JsonProcessingException {
    Map<String, String> row = new LinkedHashMap<>();
    COLUMNS.forEach(c -> row.put(c, ""));
    row.put("function", address.path("function").asText());
    row.put("id", address.path("id").asText());
    row.put("kind", kind);
    row.put("typename", value.path(ValueText.TYPENAME).asText());
    for (String encoding :
        List.of(ValueText.VALUE, ValueText.JSON, ValueText.TEXT, ValueText.BASE64)) {
      if (value.has(encoding)) {
        JsonNode v = value.get(encoding);
        row.put("encoding", encoding);
        row.put("value", v.isValueNode() ? v.asText() : JSON.writeValueAsString(v));
      }
    }
    return row;
  }
}
