package io.keyflow.schedule;

import io.keyflow.module.Component;
import io.keyflow.module.ComponentBinder;
import io.keyflow.module.Durations;
import io.keyflow.module.Spelling;
import io.keyflow.module.TypeName;
import io.keyflow.module.YamlNode;
import io.keyflow.protocol.internal.ScheduleDefinition;
import io.keyflow.protocol.internal.ScheduleDefinition.CatchUpPolicy;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Reads kind {@code io.keyflow.schedule.v1}: a message sent at recurring times.
 *
 * <pre>{@code
 * kind: io.keyflow.schedule.v1
 * spec:
 *   id: low-stock-report               # also the address keyflow/schedules/low-stock-report
 *   target: shop/inventory/report      # one address: namespace/type/id
 *   # targets: {type: shop/inventory, ids: [apple, tv]}   # or a type and several ids
 *   message:                           # optional; carried in the fire message
 *     type: shop.types/StockReport
 *     json: {threshold: 5}             # or text: ..., or base64: ...
 *   cron: "0 0 2 * * ?"                # Quartz, with seconds; or every: 10 min
 *   timeZone: Europe/Berlin            # for cron; default UTC
 *   start: 2026-01-01T00:00:00Z        # optional; ISO-8601 with an offset
 *   end: 2027-01-01T00:00:00Z          # optional
 *   jitter: 30s                        # optional; each fire is delayed by up to this much
 *   catchUp:                           # fires that came due while the job was down
 *     policy: once                     # skip, once (default) or all
 *     grace: 10s                       # default 10 s: later than this counts as missed
 *     max: 100                         # for all: at most this many (default 100)
 * }</pre>
 *
 * <p>The body of a {@code keyflow/schedule.set} message is the same spec without {@code id}, in
 * JSON; {@link #readCommand} reads it with the same rules and messages, also when it came as a
 * protobuf {@code SetSchedule} ({@link ProtobufScheduleSpec}).
 */
public final class ScheduleBinder implements ComponentBinder {

  public static final String KIND = "io.keyflow.schedule.v1";

  static final String CRON_EXPECTED =
      "a Quartz cron expression with seconds, such as '0 0 2 * * ?' (02:00 every day) or"
          + " '*/10 * * * * ?' (every 10 seconds)";
  static final String INSTANT_EXPECTED =
      "an ISO-8601 time with an offset, such as 2026-01-01T00:00:00Z";
  static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
  static final int DEFAULT_MAX = 100;

  private static final List<String> KEYS =
      List.of(
          "id",
          "target",
          "targets",
          "message",
          "cron",
          "timeZone",
          "every",
          "start",
          "end",
          "jitter",
          "catchUp");

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Component bind(YamlNode spec) {
    spec.allowOnlyKeys(KEYS.toArray(String[]::new));
    if (!spec.has("id")) {
      throw spec.error("id", "missing", "a schedule id such as nightly-report");
    }
    String id = spec.requireString("id");
    if (id.isBlank()) {
      throw spec.error("id", "is empty", "a schedule id such as nightly-report");
    }
    return new ScheduleSpec(id, definition(spec));
  }

  /**
   * Reads the body of a {@code keyflow/schedule.set} message to schedule {@code id}: the spec of
   * this kind without {@code id}, as JSON (or YAML).
   *
   * @throws io.keyflow.module.ModuleException naming the field and what is accepted
   */
  public static ScheduleSpec readCommand(String id, String body) {
    return readCommand(id, ScheduleCommand.SET_TYPE, body);
  }

  /**
   * Reads a spec without {@code id} as JSON (or YAML); errors name {@code typename} as the
   * document's kind.
   */
  static ScheduleSpec readCommand(String id, String typename, String body) {
    YamlNode spec =
        YamlNode.parseSpec(Schedules.ADDRESS + "/" + id, typename, body.isBlank() ? "{}" : body);
    spec.allowOnlyKeys(KEYS.subList(1, KEYS.size()).toArray(String[]::new));
    return new ScheduleSpec(id, definition(spec));
  }

  private static ScheduleDefinition definition(YamlNode spec) {
    ScheduleDefinition.Builder d = ScheduleDefinition.newBuilder();
    targets(spec, d);
    spec.optionalObject("message").ifPresent(m -> ScheduledMessage.read(m, d));
    timing(spec, d);
    window(spec, d);
    catchUp(spec, d);
    return d.build();
  }

  private static void targets(YamlNode spec, ScheduleDefinition.Builder d) {
    if (spec.has("target") == spec.has("targets")) {
      throw spec.error(
          spec.has("target") ? "targets" : "target",
          spec.has("target") ? "both target and targets are set" : "missing",
          "either target (namespace/type/id, such as shop/cart/alice) or targets (type and ids)");
    }
    if (spec.has("target")) {
      String target = spec.requireString("target");
      int first = target.indexOf('/');
      int second = first < 0 ? -1 : target.indexOf('/', first + 1);
      if (first <= 0 || second <= first + 1 || second == target.length() - 1) {
        throw spec.error(
            "target",
            "'" + target + "' is not an address",
            "namespace/type/id, such as shop/cart/alice");
      }
      d.setTargetNamespace(target.substring(0, first))
          .setTargetType(target.substring(first + 1, second))
          .addTargetIds(target.substring(second + 1));
      return;
    }
    YamlNode targets = spec.requireObject("targets");
    targets.allowOnlyKeys("type", "ids");
    TypeName type = targets.requireTypeName("type");
    List<String> ids = targets.requireStringList("ids");
    if (ids.isEmpty()) {
      throw targets.error("ids", "is empty", "a list of ids such as [apple, tv]");
    }
    for (int i = 0; i < ids.size(); i++) {
      if (ids.get(i).isEmpty()) {
        throw targets.error("ids[" + i + "]", "is empty", "an id such as apple");
      }
    }
    d.setTargetNamespace(type.namespace()).setTargetType(type.name()).addAllTargetIds(ids);
  }

  private static void timing(YamlNode spec, ScheduleDefinition.Builder d) {
    if (spec.has("cron") == spec.has("every")) {
      throw spec.error(
          spec.has("cron") ? "every" : "cron",
          spec.has("cron") ? "both cron and every are set" : "missing",
          "either cron (" + CRON_EXPECTED + ") or every (" + Durations.EXPECTED + ")");
    }
    if (spec.has("every")) {
      if (spec.has("timeZone")) {
        throw spec.error(
            "timeZone",
            "applies to cron only; an interval does not depend on the time zone",
            "no timeZone with every, or a cron expression");
      }
      Duration every = spec.requireDuration("every");
      if (every.toMillis() <= 0) {
        throw spec.error("every", "got " + Durations.format(every), "at least 1 ms, such as 10s");
      }
      d.setEveryMillis(every.toMillis());
      return;
    }
    String cron = spec.requireString("cron");
    try {
      FireTimes.cron(cron);
    } catch (IllegalArgumentException e) {
      throw spec.error("cron", "'" + cron + "' is not valid: " + e.getMessage(), CRON_EXPECTED);
    }
    d.setCron(cron);
    spec.optionalString("timeZone")
        .ifPresent(
            zone -> {
              try {
                d.setTimeZone(ZoneId.of(zone).getId());
              } catch (RuntimeException e) {
                throw spec.error(
                    "timeZone",
                    "unknown time zone '"
                        + zone
                        + "'"
                        + Spelling.hint(zone, ZoneId.getAvailableZoneIds()),
                    "a time zone id such as Europe/Berlin, America/New_York or UTC");
              }
            });
  }

  private static void window(YamlNode spec, ScheduleDefinition.Builder d) {
    long start = instant(spec, "start");
    long end = instant(spec, "end");
    if (start != 0 && end != 0 && end <= start) {
      throw spec.error("end", "is not after start", "an end later than start");
    }
    d.setStartMillis(start).setEndMillis(end);
    Duration jitter = spec.optionalDuration("jitter", Duration.ZERO);
    if (d.getEveryMillis() > 0 && jitter.toMillis() >= d.getEveryMillis()) {
      throw spec.error(
          "jitter",
          "got " + Durations.format(jitter) + ", not less than every",
          "a jitter shorter than the interval, so that fires keep their order");
    }
    d.setJitterMillis(jitter.toMillis());
  }

  private static long instant(YamlNode spec, String key) {
    if (!spec.has(key)) {
      return 0;
    }
    String text = spec.requireString(key);
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw spec.error(key, "'" + text + "' is not a time with an offset", INSTANT_EXPECTED);
    }
  }

  private static void catchUp(YamlNode spec, ScheduleDefinition.Builder d) {
    d.setCatchUp(CatchUpPolicy.ONCE)
        .setGraceMillis(DEFAULT_GRACE.toMillis())
        .setCatchUpMax(DEFAULT_MAX);
    if (!spec.has("catchUp")) {
      return;
    }
    YamlNode catchUp = spec.requireObject("catchUp");
    catchUp.allowOnlyKeys("policy", "grace", "max");
    catchUp
        .optionalString("policy")
        .ifPresent(
            policy -> {
              List<String> known = List.of("skip", "once", "all");
              if (!known.contains(policy)) {
                throw catchUp.error(
                    "policy",
                    "unknown policy '" + policy + "'" + Spelling.hint(policy, known),
                    "one of skip, once, all");
              }
              d.setCatchUp(CatchUpPolicy.valueOf(policy.toUpperCase(Locale.ROOT)));
            });
    d.setGraceMillis(catchUp.optionalDuration("grace", DEFAULT_GRACE).toMillis());
    int max = catchUp.optionalInt("max", DEFAULT_MAX);
    if (max < 1) {
      throw catchUp.error("max", "got " + max, "at least 1 fire");
    }
    d.setCatchUpMax(max);
  }
}
