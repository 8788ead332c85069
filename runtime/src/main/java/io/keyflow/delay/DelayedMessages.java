package io.keyflow.delay;

import io.keyflow.protocol.ProtobufSerializer;
import io.keyflow.protocol.internal.DelayedEnvelope;
import io.keyflow.protocol.internal.Envelope;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimerService;

/**
 * Messages that functions sent with a delay, kept under the sender's key until their processing
 * time comes: a list per fire time (so messages due together share one timer and keep their order)
 * and an index from cancellation token to fire time.
 *
 * <p>Tokens are scoped to the sender's id (all function types with that id share them). Registering
 * a token that is still pending replaces the pending message; cancelling a token that is unknown or
 * already delivered does nothing. Methods run on the task thread with the sender's key set.
 *
 * <p>A third state lists the fire times each sender id has messages for, so that one address's
 * pending messages can be listed ({@link #pending()}) without scanning every timer of the subtask.
 * Savepoints written before it existed lack it; the dispatcher fills it in from the messages when
 * it restores ({@link #remember}).
 */
public final class DelayedMessages {
  /** Keyed state (namespace: fire time) holding the messages due at that time. */
  public static final String MESSAGES_STATE = "keyflow.delayed";

  /** Keyed state mapping cancellation tokens to fire times. */
  public static final String TOKENS_STATE = "keyflow.delayed-tokens";

  /** Keyed state listing the fire times the sender id has messages for. */
  public static final String TIMES_STATE = "keyflow.delayed-times";

  /** Name of the timer service. */
  public static final String TIMERS = "keyflow-delayed";

  /** Reads keyed state for the current key. */
  public interface StateAccess {
    ListState<DelayedEnvelope> messagesAt(long fireTime) throws Exception;

    MapState<String, Long> tokens() throws Exception;

    MapState<Long, Boolean> fireTimes() throws Exception;
  }

  /** A message waiting for its time, as {@link #pending()} lists it. */
  public record Pending(long fireTime, DelayedEnvelope message) {}

  public static ListStateDescriptor<DelayedEnvelope> messagesDescriptor() {
    return new ListStateDescriptor<>(
        MESSAGES_STATE, new ProtobufSerializer<>(DelayedEnvelope.class));
  }

  public static MapStateDescriptor<Long, Boolean> fireTimesDescriptor() {
    return new MapStateDescriptor<>(
        TIMES_STATE, LongSerializer.INSTANCE, BooleanSerializer.INSTANCE);
  }

  public static MapStateDescriptor<String, Long> tokensDescriptor() {
    return new MapStateDescriptor<>(
        TOKENS_STATE, StringSerializer.INSTANCE, LongSerializer.INSTANCE);
  }

  private final StateAccess state;
  private final InternalTimerService<VoidNamespace> timers;

  public DelayedMessages(StateAccess state, InternalTimerService<VoidNamespace> timers) {
    this.state = state;
    this.timers = timers;
  }

  /**
   * Keeps {@code envelope} until {@code fireTime}.
   *
   * @return the pending message with the same token that this one replaced, or null
   */
  public Envelope schedule(Envelope envelope, long fireTime, String token) throws Exception {
    Envelope replaced = token.isEmpty() ? null : cancel(token);
    state
        .messagesAt(fireTime)
        .add(
            DelayedEnvelope.newBuilder().setEnvelope(envelope).setCancellationToken(token).build());
    if (!token.isEmpty()) {
      state.tokens().put(token, fireTime);
    }
    state.fireTimes().put(fireTime, Boolean.TRUE);
    timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, fireTime);
    return replaced;
  }

  /**
   * Notes that the current sender id has messages due at {@code fireTime}, for state restored from
   * a savepoint that did not list fire times.
   */
  public void remember(long fireTime) throws Exception {
    MapState<Long, Boolean> times = state.fireTimes();
    if (!times.contains(fireTime)) {
      times.put(fireTime, Boolean.TRUE);
    }
  }

  /** The current sender id's pending messages, by fire time and then in scheduling order. */
  public List<Pending> pending() throws Exception {
    java.util.TreeSet<Long> times = new java.util.TreeSet<>();
    Iterable<Long> listed = state.fireTimes().keys();
    if (listed != null) {
      listed.forEach(times::add);
    }
    Iterable<Long> tokened = state.tokens().values();
    if (tokened != null) {
      tokened.forEach(times::add);
    }
    List<Pending> out = new ArrayList<>();
    for (long fireTime : times) {
      Iterable<DelayedEnvelope> due = state.messagesAt(fireTime).get();
      if (due != null) {
        for (DelayedEnvelope message : due) {
          out.add(new Pending(fireTime, message));
        }
      }
    }
    return out;
  }

  /** The pending message with {@code token}, or null; changes nothing. */
  public Pending find(String token) throws Exception {
    Long fireTime = state.tokens().get(token);
    if (fireTime == null) {
      return null;
    }
    Iterable<DelayedEnvelope> due = state.messagesAt(fireTime).get();
    if (due != null) {
      for (DelayedEnvelope message : due) {
        if (message.getCancellationToken().equals(token)) {
          return new Pending(fireTime, message);
        }
      }
    }
    return null;
  }

  /**
   * Drops the pending message with {@code token}.
   *
   * @return the message dropped, or null if no message with that token is pending
   */
  public Envelope cancel(String token) throws Exception {
    MapState<String, Long> tokens = state.tokens();
    Long fireTime = tokens.get(token);
    if (fireTime == null) {
      return null;
    }
    tokens.remove(token);
    ListState<DelayedEnvelope> due = state.messagesAt(fireTime);
    List<DelayedEnvelope> kept = new ArrayList<>();
    Envelope dropped = null;
    Iterable<DelayedEnvelope> all = due.get();
    if (all != null) {
      for (DelayedEnvelope delayed : all) {
        if (!delayed.getCancellationToken().equals(token)) {
          kept.add(delayed);
        } else {
          dropped = delayed.getEnvelope();
        }
      }
    }
    if (kept.isEmpty()) {
      due.clear();
      state.fireTimes().remove(fireTime);
      timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, fireTime);
    } else {
      due.update(kept);
    }
    return dropped;
  }

  /** Takes the messages due at {@code fireTime}, in the order they were scheduled. */
  public List<Envelope> due(long fireTime) throws Exception {
    ListState<DelayedEnvelope> due = state.messagesAt(fireTime);
    Iterable<DelayedEnvelope> all = due.get();
    if (all == null) {
      state.fireTimes().remove(fireTime);
      return List.of();
    }
    List<Envelope> out = new ArrayList<>();
    MapState<String, Long> tokens = null;
    for (DelayedEnvelope delayed : all) {
      out.add(delayed.getEnvelope());
      if (!delayed.getCancellationToken().isEmpty()) {
        if (tokens == null) {
          tokens = state.tokens();
        }
        tokens.remove(delayed.getCancellationToken());
      }
    }
    due.clear();
    state.fireTimes().remove(fireTime);
    return out;
  }
}
