package io.keyflow.io.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyflow.dispatch.ScheduleReports;
import io.keyflow.protocol.control.AddressReport;
import io.keyflow.protocol.control.ControlAnswer;
import io.keyflow.protocol.control.InFlightRequest;
import io.keyflow.protocol.control.PendingDelay;
import io.keyflow.protocol.control.StoredValue;
import io.keyflow.protocol.control.ToFunctionMessage;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.schedule.Schedules;
import io.keyflow.state.ValueText;
import java.time.Instant;

/**
 * The JSON the admin routes answer with: the job's {@link ControlAnswer}, with every value and
 * message decoded as {@link ValueText} does for the offline state dump (primitives and JSON as
 * themselves, other UTF-8 as text, anything else as base64), so that both read alike.
 */
final class AdminJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What inspection says for an expiring value's expiry instant. */
  static final String EXPIRES_AT_UNKNOWN =
      "not known online; keyflow state dump of a savepoint or retained checkpoint shows it";

  private AdminJson() {}

  static String answer(ControlAnswer answer) {
    ObjectNode root = MAPPER.createObjectNode();
    AddressReport report = answer.getAddress();
    root.put("address", text(report.getAddress()));
    if (!answer.getOutcome().isEmpty()) {
      root.put("changed", answer.getChanged());
      root.put("outcome", answer.getOutcome());
    }
    root.put("asOf", Instant.ofEpochMilli(report.getAsOfMillis()).toString());
    root.put("subtask", report.getSubtask());
    if (Schedules.isScheduleAddress(report.getAddress())) {
      // A schedule's built-in address: the schedule with that id, or null when there is none.
      if (report.hasSchedule()) {
        ScheduleReports.write(root.putObject("schedule"), report.getSchedule());
      } else {
        root.putNull("schedule");
      }
      return write(root);
    }
    root.put("paused", report.getPaused());
    root.put("valuesKnown", report.getValuesKnown());
    if (report.getValuesFromCheckpoint()) {
      root.put(
          "valuesKnownFrom",
          "the restored checkpoint: the type has answered no call on this subtask since the job"
              + " restarted, so a value it declared since is not listed");
    }
    ObjectNode values = root.putObject("values");
    for (StoredValue value : report.getValuesList()) {
      values.set(value.getName(), value(value));
    }
    root.put("backlog", report.getBacklog());
    if (report.hasOldestWaiting()) {
      root.set("oldestWaiting", message(report.getOldestWaiting()));
    }
    if (report.hasInFlight()) {
      root.set("inFlight", inFlight(report.getInFlight()));
    }
    ArrayNode delayed = root.putArray("delayed");
    for (PendingDelay delay : report.getDelayedList()) {
      ObjectNode node = delayed.addObject();
      node.put("dueAt", Instant.ofEpochMilli(delay.getDueAtMillis()).toString());
      node.put("dueInMillis", delay.getDueAtMillis() - report.getAsOfMillis());
      if (!delay.getCancellationToken().isEmpty()) {
        node.put("token", delay.getCancellationToken());
      }
      node.put("target", text(delay.getTarget()));
      typed(node, delay.getArgument());
    }
    return write(root);
  }

  private static ObjectNode value(StoredValue value) {
    ObjectNode node = MAPPER.createObjectNode();
    if (value.getWithheld()) {
      node.put("typename", value.getTypename());
      node.put(
          "withheld",
          "expires a time after it was last read or written; reading it would restart that clock");
    } else if (value.hasValue()) {
      ValueText.write(node, value.getTypename(), value.getValue().toByteArray());
    } else {
      node.put("typename", value.getTypename());
      node.put("absent", true);
    }
    if (!value.getExpireMode().equals("NONE")) {
      ObjectNode expiration = node.putObject("expiration");
      expiration.put("mode", value.getExpireMode());
      expiration.put("afterMillis", value.getExpireAfterMillis());
      // Flink's TTL state keeps the time of the last write (or read) to itself; a savepoint has it.
      expiration.put("expiresAt", EXPIRES_AT_UNKNOWN);
    }
    return node;
  }

  private static ObjectNode inFlight(InFlightRequest request) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("messages", request.getMessages());
    node.put("calls", request.getCalls());
    node.put("failedAttempts", request.getFailedAttempts());
    if (!request.getLastError().isEmpty()) {
      node.put("lastError", request.getLastError());
    }
    node.put("since", Instant.ofEpochMilli(request.getSinceMillis()).toString());
    node.put("waiting", request.getWaiting());
    if (request.hasFirst()) {
      node.set("first", message(request.getFirst()));
    }
    return node;
  }

  private static ObjectNode message(ToFunctionMessage message) {
    ObjectNode node = MAPPER.createObjectNode();
    if (message.hasCaller()) {
      node.put("caller", text(message.getCaller()));
    }
    typed(node, message.getArgument());
    return node;
  }

  private static void typed(ObjectNode node, TypedValue value) {
    ValueText.write(node, value.getTypename(), value.getValue().toByteArray());
  }

  private static String text(Address address) {
    return address.getNamespace() + "/" + address.getType() + "/" + address.getId();
  }

  private static String write(ObjectNode root) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an admin answer could not be written as JSON", e);
    }
  }
}
