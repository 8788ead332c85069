package io.keyflow.schedule;

import io.keyflow.module.ScheduleComponent;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufSerializer;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.ScheduleDefinition;
import io.keyflow.protocol.internal.ScheduleState;
import io.keyflow.protocol.reqreply.Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the schedules of one dispatcher subtask: those {@code module.yaml} declares (static) and
 * those functions create by messaging {@code keyflow/schedules/<id>} (dynamic).
 *
 * <p><b>Design.</b> A schedule lives under its id as key, like an address: its definition, next
 * fire time and counts in keyed state ({@link #STATIC_STATE} or {@link #DYNAMIC_STATE}), and one
 * processing-time timer ({@link #TIMERS}) at its next fire time plus jitter. When the timer runs,
 * the fires that came due are planned ({@link FirePlan}), the state moves on to the next fire time
 * and the fire messages go out through the dispatcher's routing, all in one step on the task
 * thread. A checkpoint therefore holds either the state before a fire (and its timer, which fires
 * again after a restore) or the state after it together with the fire messages, in a backlog, an
 * outstanding request or the feedback log: each fire is delivered exactly once, across failures and
 * restores at another parallelism, where the key groups carry state and timers along.
 *
 * <p>Static schedules are (re)armed when a subtask opens: a schedule new to the state, or whose
 * definition changed, starts from the current time; one whose definition is unchanged keeps its
 * restored state and timer, so fires missed while the job was down are caught up by its policy. A
 * static schedule removed from {@code module.yaml} is dropped with its timer.
 *
 * <p><b>Threading.</b> Every method runs on the task thread.
 */
public final class Schedules implements Triggerable<String, VoidNamespace> {
  private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);

  /** The built-in function type whose ids are schedule ids. */
  public static final TypeName ADDRESS = new TypeName("keyflow", "schedules");

  /** Keyed state of a static schedule, under its id. */
  public static final String STATIC_STATE = "keyflow.schedules.static";

  /** Keyed state of a dynamic schedule, under its id. */
  public static final String DYNAMIC_STATE = "keyflow.schedules.dynamic";

  /** Name of the timer service. */
  public static final String TIMERS = "keyflow-schedules";

  /** What the dispatcher lends: keyed state, its key, its routing and its clock. */
  public interface Host {
    /** The state of {@code descriptor} for the current key. */
    ValueState<ScheduleState> state(ValueStateDescriptor<ScheduleState> descriptor)
        throws Exception;

    /** The keys that have a value in the state of {@code descriptor}. */
    Stream<String> keys(ValueStateDescriptor<ScheduleState> descriptor) throws Exception;

    void setCurrentKey(String id);

    /** Whether this subtask owns the key {@code id}. */
    boolean owns(String id);

    /** Whether an endpoint serves {@code type}. */
    boolean serves(TypeName type);

    /** Delivers a message to an address of this subtask or sends it round the feedback loop. */
    void route(Envelope message) throws Exception;

    long now();
  }

  private final Map<String, ScheduleSpec> statics = new LinkedHashMap<>();
  private final Host host;
  private final ScheduleMetrics metrics;
  private final ValueStateDescriptor<ScheduleState> staticDescriptor = descriptor(STATIC_STATE);
  private final ValueStateDescriptor<ScheduleState> dynamicDescriptor = descriptor(DYNAMIC_STATE);
  private InternalTimerService<VoidNamespace> timers;

  /**
   * @param declared the module's static schedules; each must be a {@link ScheduleSpec}
   */
  public Schedules(List<ScheduleComponent> declared, Host host, MetricGroup metrics) {
    for (ScheduleComponent component : declared) {
      if (!(component instanceof ScheduleSpec spec)) {
        throw new IllegalArgumentException(
            "schedule " + component.id() + " is a " + component.getClass().getName());
      }
      statics.put(spec.id(), spec);
    }
    this.host = host;
    this.metrics = new ScheduleMetrics(metrics);
  }

  /** The state descriptor of {@code name}; names are constants, see {@link #STATIC_STATE}. */
  public static ValueStateDescriptor<ScheduleState> descriptor(String name) {
    return new ValueStateDescriptor<>(name, new ProtobufSerializer<>(ScheduleState.class));
  }

  /** Whether {@code target} is a schedule's built-in address. */
  public static boolean isScheduleAddress(Address target) {
    return ADDRESS.namespace().equals(target.getNamespace())
        && ADDRESS.name().equals(target.getType());
  }

  /** The built-in address of schedule {@code id}. */
  public static Address address(String id) {
    return Address.newBuilder()
        .setNamespace(ADDRESS.namespace())
        .setType(ADDRESS.name())
        .setId(id)
        .build();
  }

  /**
   * Arms the static schedules this subtask owns and drops the ones {@code module.yaml} no longer
   * declares. Call once the state is restored and {@code timers} is available.
   */
  public void start(InternalTimerService<VoidNamespace> timers) throws Exception {
    this.timers = timers;
    List<String> restored;
    try (Stream<String> keys = host.keys(staticDescriptor)) {
      restored = keys.toList();
    }
    for (String id : restored) {
      if (!statics.containsKey(id)) {
        host.setCurrentKey(id);
        ValueState<ScheduleState> state = host.state(staticDescriptor);
        disarm(state.value());
        state.clear();
        LOG.info("Dropped schedule {}, which module.yaml no longer declares", id);
      }
    }
    for (ScheduleSpec spec : statics.values()) {
      if (host.owns(spec.id())) {
        host.setCurrentKey(spec.id());
        armStatic(spec);
      }
    }
  }

  /**
   * Applies a message to {@code keyflow/schedules/<id>}: creates, replaces or deletes the dynamic
   * schedule {@code id}. Sets the current key to {@code id}.
   */
  public void control(Envelope message) throws Exception {
    String id = message.getTarget().getId();
    host.setCurrentKey(id);
    metrics.commands.inc();
    ScheduleCommand command = ScheduleCommand.read(id, message.getPayload());
    if (command instanceof ScheduleCommand.Rejected rejected) {
      reject(id, message, rejected.reason());
      return;
    }
    if (statics.containsKey(id)) {
      reject(id, message, "schedule " + id + " is declared in module.yaml and cannot be changed");
      return;
    }
    ValueState<ScheduleState> state = host.state(dynamicDescriptor);
    ScheduleState current = state.value();
    if (command instanceof ScheduleCommand.Set set) {
      TypeName target = set.spec().targetType();
      if (!host.serves(target)) {
        reject(id, message, "no endpoint serves the target type " + target);
        return;
      }
      disarm(current);
      ScheduleState.Builder next =
          (current == null ? ScheduleState.newBuilder() : current.toBuilder())
              .setDefinition(set.spec().definition());
      arm(id, next, host.now());
      if (next.getNextFireMillis() < 0) {
        state.clear(); // Its end has passed: nothing will ever fire.
      } else {
        state.update(next.build());
      }
    } else if (current != null) {
      disarm(current);
      state.clear();
    }
  }

  /**
   * A schedule and where it stands.
   *
   * @param declared whether module.yaml declares it (static) or a function created it (dynamic)
   */
  public record Inspected(boolean declared, ScheduleState state) {}

  /**
   * The schedule under the current key (a schedule id), static or dynamic; null if there is none.
   * Reads only.
   */
  public Inspected inspect() throws Exception {
    ScheduleState state = host.state(staticDescriptor).value();
    if (state != null) {
      return new Inspected(true, state);
    }
    state = host.state(dynamicDescriptor).value();
    return state == null ? null : new Inspected(false, state);
  }

  @Override
  public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
    String id = timer.getKey();
    ValueState<ScheduleState> state = host.state(staticDescriptor);
    boolean isStatic = true;
    ScheduleState current = state.value();
    if (current == null) {
      isStatic = false;
      state = host.state(dynamicDescriptor);
      current = state.value();
    }
    if (current == null || current.getTimerMillis() != timer.getTimestamp()) {
      return; // A timer of a definition since replaced or deleted.
    }
    long now = host.now();
    ScheduleDefinition definition = current.getDefinition();
    FireTimes times = FireTimes.of(definition);
    FirePlan plan =
        FirePlan.at(
            now,
            current.getNextFireMillis(),
            times,
            fire -> jitter(id, definition, fire),
            definition.getCatchUp(),
            definition.getGraceMillis(),
            definition.getCatchUpMax());

    long missed = current.getMissedSinceLastFire() + plan.dropped();
    List<Envelope> out = new ArrayList<>();
    for (long fire : plan.fires()) {
      for (String targetId : definition.getTargetIdsList()) {
        out.add(FireMessage.envelope(id, definition, fire, missed, target(definition, targetId)));
      }
      missed = 0;
    }
    ScheduleState.Builder next =
        current.toBuilder()
            .setFires(current.getFires() + plan.fires().size())
            .setMissed(current.getMissed() + plan.dropped())
            .setLate(current.getLate() + plan.late())
            .setMissedSinceLastFire(missed);
    schedule(id, next, plan.next());
    long lateness =
        plan.fires().isEmpty()
            ? -1
            : now
                - plan.fires().get(plan.fires().size() - 1)
                - jitter(id, definition, plan.fires().get(plan.fires().size() - 1));
    if (isStatic) {
      state.update(next.build());
      metrics.staticSchedule(id, next.build(), lateness);
    } else {
      if (plan.next() < 0) {
        state.clear();
      } else {
        state.update(next.build());
      }
      metrics.dynamicSchedule(plan.fires().size(), plan.dropped(), plan.late());
    }
    if (plan.dropped() > 0) {
      LOG.info(
          "Schedule {} dropped {} late fire(s) under its catch-up policy {}",
          id,
          plan.dropped(),
          definition.getCatchUp());
    }
    // Routing may switch the current key: the schedule's state is settled by now.
    for (Envelope message : out) {
      host.route(message);
    }
  }

  @Override
  public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

  private void armStatic(ScheduleSpec spec) throws Exception {
    // A function may have created a dynamic schedule with this id before module.yaml declared it.
    ValueState<ScheduleState> dynamic = host.state(dynamicDescriptor);
    if (dynamic.value() != null) {
      disarm(dynamic.value());
      dynamic.clear();
      LOG.info("Dropped the dynamic schedule {}: module.yaml now declares that id", spec.id());
    }
    ValueState<ScheduleState> state = host.state(staticDescriptor);
    ScheduleState current = state.value();
    if (current != null && current.getDefinition().equals(spec.definition())) {
      metrics.staticSchedule(spec.id(), current, -1);
      return;
    }
    disarm(current);
    ScheduleState.Builder next =
        (current == null ? ScheduleState.newBuilder() : current.toBuilder())
            .setDefinition(spec.definition())
            .setMissedSinceLastFire(0);
    arm(spec.id(), next, host.now());
    state.update(next.build());
    metrics.staticSchedule(spec.id(), next.build(), -1);
    LOG.info(
        "Schedule {} {}; first fire at {}",
        spec.id(),
        current == null ? "starts" : "changed",
        next.getNextFireMillis() < 0
            ? "never (its end has passed)"
            : java.time.Instant.ofEpochMilli(next.getNextFireMillis()));
  }

  /** Sets the first fire at or after {@code now} and its timer. */
  private void arm(String id, ScheduleState.Builder state, long now) {
    state.setMissedSinceLastFire(0);
    schedule(id, state, FireTimes.of(state.getDefinition()).next(now - 1));
  }

  /** Records {@code fire} as the next fire time and registers its timer; -1 ends the schedule. */
  private void schedule(String id, ScheduleState.Builder state, long fire) {
    state.setNextFireMillis(fire);
    if (fire < 0) {
      state.setTimerMillis(0);
      return;
    }
    long at = fire + jitter(id, state.getDefinition(), fire);
    state.setTimerMillis(at);
    timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, at);
  }

  private void disarm(ScheduleState state) {
    if (state != null && state.getTimerMillis() > 0) {
      timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, state.getTimerMillis());
    }
  }

  private void reject(String id, Envelope message, String reason) {
    metrics.rejected.inc();
    LOG.warn(
        "Skipped a message to {}/{} from {}: {}",
        ADDRESS,
        id,
        message.hasCaller() ? callerText(message.getCaller()) : "an ingress",
        reason);
  }

  private static String callerText(Address caller) {
    return caller.getNamespace() + "/" + caller.getType() + "/" + caller.getId();
  }

  private static Address target(ScheduleDefinition definition, String id) {
    return Address.newBuilder()
        .setNamespace(definition.getTargetNamespace())
        .setType(definition.getTargetType())
        .setId(id)
        .build();
  }

  /**
   * The delay of a fire within the schedule's jitter: the same for a fire time every time it is
   * computed (also after a restore), spread evenly over fire times and schedules.
   */
  static long jitter(String id, ScheduleDefinition definition, long fireTime) {
    long range = definition.getJitterMillis();
    if (range <= 0) {
      return 0;
    }
    long z = id.hashCode() * 0x9E3779B97F4A7C15L + fireTime;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return Math.floorMod(z ^ (z >>> 31), range);
  }
}
