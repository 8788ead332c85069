package io.keyflow.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;

/** Prints the migration report the StateFun reader wrote, for a person to read. */
final class MigrationReportText {
  private MigrationReportText() {}

  static void print(PrintStream out, JsonNode report, String target) {
    out.printf(
        "Carried: %,d addresses with %,d values (%,d of them expiring), %,d in-flight"
            + " messages, %,d waiting messages, %,d delayed messages.%n",
        report.path("addresses").asLong(),
        report.path("values").asLong(),
        report.path("expiringValues").asLong(),
        report.path("inflightMessages").asLong(),
        report.path("backlogMessages").asLong(),
        report.path("delayedMessages").asLong());
    if (report.path("expiringValues").asLong() > 0) {
      out.println(
          "Expiring values keep the time StateFun last restarted their clock; they expire after"
              + " the duration their function declares, as they would have in StateFun.");
    }
    if (report.path("inflightMessages").asLong() > 0) {
      out.println(
          "In-flight messages are sent again when the job starts (functions may see them twice,"
              + " as after any restore).");
    }
    JsonNode states = report.path("statesNotCarried");
    JsonNode items = report.path("notCarried");
    if (states.isEmpty() && items.isEmpty()) {
      out.println("Not carried: nothing.");
    } else {
      out.println("Not carried:");
      for (JsonNode state : states) {
        out.printf(
            "  state %s (%s): not a remote function's value or pending work%n",
            state.path("state").asText(), state.path("kind").asText());
      }
      for (JsonNode item : items) {
        out.printf(
            "  %s/%s %s: %s%n",
            item.path("function").asText(),
            item.path("id").asText(),
            item.path("what").asText(),
            item.path("problem").asText());
      }
    }
    out.println(
        "Kafka ingresses: positions are not carried. Give each Kafka ingress of the Keyflow"
            + " module the consumerGroupId the StateFun job used and startupPosition"
            + " {type: group-offsets}, and Keyflow reads on from the offsets StateFun committed"
            + " to that group. StateFun commits them when a checkpoint completes, not on a"
            + " savepoint: they match the savepoint if its input had stopped and the group's lag"
            + " was 0 when it was taken.");
    if (report.path("otherOperatorsWithState").asInt() > 0) {
      out.printf(
          "(%d other operators of the StateFun job hold state, such as its sources' positions;"
              + " none of it is carried.)%n",
          report.path("otherOperatorsWithState").asInt());
    }
    out.printf("Start the Keyflow job with --from-savepoint %s%n", target);
  }
}
