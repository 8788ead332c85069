package io.keyflow.dispatch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyflow.protocol.control.ScheduleReport;
import io.keyflow.protocol.internal.ScheduleDefinition;
import io.keyflow.protocol.internal.ScheduleState;
import io.keyflow.schedule.Schedules;
import java.time.Duration;
import java.time.Instant;

/**
 * One schedule as inspection and the offline dump show it: a {@link ScheduleReport} built from the
 * schedule's keyed state ({@link io.keyflow.schedule.Schedules}), and its JSON form, the same for
 * the admin routes and {@code keyflow state dump}.
 */
public final class ScheduleReports {
  private ScheduleReports() {}

  /** The report of a schedule. */
  public static ScheduleReport of(Schedules.Inspected schedule) {
    String kind = schedule.declared() ? "static" : "dynamic";
    ScheduleState state = schedule.state();
    ScheduleDefinition d = state.getDefinition();
    return ScheduleReport.newBuilder()
        .setKind(kind)
        .setTargetType(d.getTargetNamespace() + "/" + d.getTargetType())
        .addAllTargetIds(d.getTargetIdsList())
        .setCron(d.getCron())
        .setTimeZone(d.getTimeZone())
        .setEveryMillis(d.getEveryMillis())
        .setNextFireMillis(state.getNextFireMillis())
        .setStartMillis(d.getStartMillis())
        .setEndMillis(d.getEndMillis())
        .setJitterMillis(d.getJitterMillis())
        .setCatchUp(d.getCatchUp().name())
        .setMessageTypename(
            d.getMessageFormat() == ScheduleDefinition.MessageFormat.NONE ? "" : d.getMessageType())
        .setFires(state.getFires())
        .setMissed(state.getMissed())
        .setLate(state.getLate())
        .build();
  }

  /**
   * Writes {@code report} into {@code node}: {@code kind}, {@code target} (type and ids), {@code
   * cron} and {@code timeZone} or {@code every}, {@code nextFire} (absent once ended, with {@code
   * ended: true}), {@code start}, {@code end}, {@code jitterMillis} when set, {@code catchUp},
   * {@code messageType} when it carries a message, and the counts {@code fires}, {@code missed},
   * {@code late}.
   */
  public static void write(ObjectNode node, ScheduleReport report) {
    node.put("kind", report.getKind());
    node.put("targetType", report.getTargetType());
    report.getTargetIdsList().forEach(node.withArray("targetIds")::add);
    if (!report.getCron().isEmpty()) {
      node.put("cron", report.getCron());
      node.put("timeZone", report.getTimeZone().isEmpty() ? "UTC" : report.getTimeZone());
    } else {
      node.put("every", Duration.ofMillis(report.getEveryMillis()).toString());
    }
    if (report.getNextFireMillis() < 0) {
      node.put("ended", true);
    } else {
      node.put("nextFire", Instant.ofEpochMilli(report.getNextFireMillis()).toString());
    }
    if (report.getStartMillis() != 0) {
      node.put("start", Instant.ofEpochMilli(report.getStartMillis()).toString());
    }
    if (report.getEndMillis() != 0) {
      node.put("end", Instant.ofEpochMilli(report.getEndMillis()).toString());
    }
    if (report.getJitterMillis() != 0) {
      node.put("jitterMillis", report.getJitterMillis());
    }
    node.put("catchUp", report.getCatchUp());
    if (!report.getMessageTypename().isEmpty()) {
      node.put("messageType", report.getMessageTypename());
    }
    node.put("fires", report.getFires());
    node.put("missed", report.getMissed());
    node.put("late", report.getLate());
  }
}
