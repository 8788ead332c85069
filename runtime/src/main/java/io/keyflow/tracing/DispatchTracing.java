package io.keyflow.tracing;

import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.TraceContext;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traces what a dispatcher subtask does with messages: for each sampled message the time it waited
 * (span {@code queue <type>}), each HTTP call of its request ({@code call <type>}, which the
 * function receives as its {@code traceparent}) and applying the response ({@code apply <type>}),
 * whose context the messages, delayed messages and egress records of that response carry on.
 *
 * <p><b>Sampling.</b> A message that arrives with a trace context follows its sampled flag: spans
 * for a sampled one, and the context passed on unchanged for an unsampled one. A message without
 * one starts a trace with probability {@code keyflow.tracing.sampling-ratio}, decided before any
 * span or id exists, so the messages not sampled cost a random number and nothing else.
 *
 * <p><b>Batches.</b> A request carries the messages that waited for their address together, but a
 * function answers the batch as a whole. The call span is therefore a child of the first sampled
 * message's context and links to the others; the response's effects belong to that call.
 *
 * <p>Created only when tracing is on: with tracing off the dispatcher holds null and pays a null
 * check per message. Used on the task thread only.
 */
public final class DispatchTracing implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DispatchTracing.class);
  private static final AttributeKey<String> FUNCTION = AttributeKey.stringKey("keyflow.function");
  private static final AttributeKey<String> ID = AttributeKey.stringKey("keyflow.address.id");
  private static final AttributeKey<Long> BATCH = AttributeKey.longKey("keyflow.batch.size");
  private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("keyflow.call.attempt");

  private final TracingSdk sdk;
  private final Tracer tracer;
  private final double samplingRatio;
  final TracingMetrics metrics;
  private final Clock clock = Clock.getDefault();

  /**
   * @param sdk what to release on close; null when the caller owns the tracer
   */
  DispatchTracing(TracingSdk sdk, Tracer tracer, double samplingRatio, MetricGroup group) {
    this.sdk = sdk;
    this.tracer = tracer;
    this.samplingRatio = samplingRatio;
    this.metrics = new TracingMetrics(group);
  }

  /** Tracing for a dispatcher subtask, or null when {@code settings} turn it off. */
  public static DispatchTracing open(TracingSettings settings, MetricGroup group) {
    if (!settings.enabled()) {
      return null;
    }
    TracingSdk sdk = TracingSdk.acquire(settings);
    return new DispatchTracing(sdk, sdk.tracer(), settings.samplingRatio(), group);
  }

  /**
   * A message for an idle address: the trace of the request it goes out in at once, or null when it
   * belongs to no trace.
   */
  public BatchTrace received(Envelope envelope) {
    MessageTrace message = trace(envelope);
    return message == null ? null : new BatchTrace(List.of(message), null);
  }

  /** A message for a busy address: its invocation with its trace, if any, for the backlog. */
  public Invocation backlogged(Envelope envelope, Invocation invocation) {
    MessageTrace message = trace(envelope);
    if (message == null) {
      return invocation;
    }
    TraceContext.Builder stored =
        message.parent() == null
            ? TraceContext.newBuilder()
            : envelope.getTrace().toBuilder().clearReceivedAtNanos();
    return TraceFields.stamp(
        invocation, stored.setReceivedAtNanos(message.receivedAtNanos()).build());
  }

  /**
   * A batch taken from the backlog: the trace of its request, with the invocations cleared of their
   * trace fields, or null when none of them belongs to a trace.
   */
  public BatchTrace fromBacklog(List<Invocation> batch) {
    List<MessageTrace> messages = null;
    List<Invocation> clean = null;
    for (int i = 0; i < batch.size(); i++) {
      Invocation invocation = batch.get(i);
      TraceContext stored = TraceFields.of(invocation);
      if (stored == null) {
        if (clean != null) {
          clean.add(invocation);
        }
        continue;
      }
      if (clean == null) {
        messages = new ArrayList<>();
        clean = new ArrayList<>(batch.size());
        clean.addAll(batch.subList(0, i));
      }
      clean.add(TraceFields.strip(invocation));
      SpanContext parent = TraceHeaders.parse(stored);
      if (parent != null || stored.getTraceparent().isEmpty()) {
        messages.add(new MessageTrace(parent, stored.getReceivedAtNanos()));
      }
    }
    return clean == null ? null : new BatchTrace(messages, clean);
  }

  /**
   * The request goes on the wire (again): ends the queue spans on its first call and starts a call
   * span.
   *
   * @return the trace context to send to the function, or null
   */
  public TraceContext calling(BatchTrace trace, String function, String id, int batchSize) {
    if (!trace.queued) {
      trace.queued = true;
      trace.lead = lead(trace, function, id);
    }
    if (trace.lead == null) {
      return unsampled(trace);
    }
    trace.attempts++;
    SpanBuilder call =
        tracer
            .spanBuilder("call " + function)
            .setSpanKind(SpanKind.CLIENT)
            .setParent(Context.root().with(Span.wrap(trace.lead)))
            .setAttribute(FUNCTION, function)
            .setAttribute(ID, id)
            .setAttribute(BATCH, (long) batchSize)
            .setAttribute(ATTEMPT, (long) trace.attempts);
    for (MessageTrace message : trace.messages) {
      if (message.parent() != null && !message.parent().equals(trace.lead)) {
        call.addLink(message.parent());
      }
    }
    trace.call = call.startSpan();
    return TraceHeaders.format(trace.call.getSpanContext());
  }

  /** The call ended: with the function's response, or with {@code error}. */
  public void answered(BatchTrace trace, Throwable error) {
    Span call = trace.call;
    if (call == null) {
      return;
    }
    if (error != null) {
      call.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
    }
    call.end();
  }

  /**
   * The response is being applied: starts the apply span.
   *
   * @return the trace context of the messages, delayed messages and egress records the response
   *     sends, or null
   */
  public TraceContext applying(BatchTrace trace, String function) {
    if (trace.call == null) {
      return unsampled(trace);
    }
    trace.apply =
        tracer
            .spanBuilder("apply " + function)
            .setParent(Context.root().with(trace.call))
            .setAttribute(FUNCTION, function)
            .startSpan();
    return TraceHeaders.format(trace.apply.getSpanContext());
  }

  /** The response's effects are applied. */
  public void applied(BatchTrace trace) {
    if (trace.apply != null) {
      trace.apply.end();
      trace.apply = null;
    }
  }

  @Override
  public void close() {
    if (sdk != null) {
      sdk.release();
    }
  }

  /**
   * Records the queue spans of the sampled messages.
   *
   * @return the parent of the call span: the first sampled message's context (its queue span's for
   *     a message that starts a trace), or null when no message is sampled
   */
  private SpanContext lead(BatchTrace trace, String function, String id) {
    SpanContext lead = null;
    long now = clock.now();
    for (MessageTrace message : trace.messages) {
      if (!message.sampled()) {
        continue;
      }
      SpanBuilder queue =
          tracer
              .spanBuilder("queue " + function)
              .setStartTimestamp(message.receivedAtNanos(), TimeUnit.NANOSECONDS)
              .setAttribute(FUNCTION, function)
              .setAttribute(ID, id);
      if (message.parent() == null) {
        queue.setNoParent();
      } else {
        queue.setParent(Context.root().with(Span.wrap(message.parent())));
      }
      Span span = queue.startSpan();
      span.end(now, TimeUnit.NANOSECONDS);
      if (lead == null) {
        lead = message.parent() == null ? span.getSpanContext() : message.parent();
      }
    }
    return lead;
  }

  /** The context of the first message that arrived with an unsampled one, passed on as it came. */
  private static TraceContext unsampled(BatchTrace trace) {
    for (MessageTrace message : trace.messages) {
      if (message.parent() != null) {
        return TraceHeaders.format(message.parent());
      }
    }
    return null;
  }

  private MessageTrace trace(Envelope envelope) {
    if (envelope.hasTrace()) {
      SpanContext parent = TraceHeaders.parse(envelope.getTrace());
      if (parent != null) {
        return new MessageTrace(parent, clock.now());
      }
      if (!envelope.getTrace().getTraceparent().isEmpty()) {
        metrics.malformed.inc();
        LOG.debug(
            "Ignoring the malformed trace context '{}' of a message to {}/{}",
            envelope.getTrace().getTraceparent(),
            envelope.getTarget().getNamespace(),
            envelope.getTarget().getType());
      }
    }
    if (samplingRatio <= 0
        || (samplingRatio < 1 && ThreadLocalRandom.current().nextDouble() >= samplingRatio)) {
      return null;
    }
    metrics.started.inc();
    return new MessageTrace(null, clock.now());
  }
}
