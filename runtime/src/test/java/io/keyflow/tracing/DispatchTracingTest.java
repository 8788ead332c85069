package io.keyflow.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.TraceContext;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatchTracingTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";
  private static final String FUNCTION = "shop/cart";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();

  @AfterEach
  void close() {
    provider.close();
  }

  @Test
  void aSampledMessageGetsQueueCallAndApplySpansUnderItsContext() {
    DispatchTracing tracing = tracing(0);
    BatchTrace batch = tracing.received(envelope("00-" + TRACE + "-" + SPAN + "-01"));

    TraceContext sent = tracing.calling(batch, FUNCTION, "alice", 1);
    tracing.answered(batch, null);
    TraceContext outgoing = tracing.applying(batch, FUNCTION);
    tracing.applied(batch);

    SpanData queue = span("queue " + FUNCTION);
    SpanData call = span("call " + FUNCTION);
    SpanData apply = span("apply " + FUNCTION);
    assertThat(List.of(queue, call, apply)).allMatch(s -> s.getTraceId().equals(TRACE));
    assertThat(queue.getParentSpanId()).isEqualTo(SPAN);
    assertThat(call.getParentSpanId()).isEqualTo(SPAN);
    assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(apply.getParentSpanId()).isEqualTo(call.getSpanId());
    assertThat(sent.getTraceparent()).isEqualTo("00-" + TRACE + "-" + call.getSpanId() + "-01");
    assertThat(outgoing.getTraceparent())
        .isEqualTo("00-" + TRACE + "-" + apply.getSpanId() + "-01");
  }

  @Test
  void aFailedCallEndsItsSpanWithAnErrorAndTheRetryIsANewCallSpan() {
    DispatchTracing tracing = tracing(0);
    BatchTrace batch = tracing.received(envelope("00-" + TRACE + "-" + SPAN + "-01"));

    tracing.calling(batch, FUNCTION, "alice", 1);
    tracing.answered(batch, new IOException("connection refused"));
    tracing.calling(batch, FUNCTION, "alice", 1);
    tracing.answered(batch, null);

    List<SpanData> calls =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getName().equals("call " + FUNCTION))
            .toList();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(calls.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(spans.getFinishedSpanItems().stream().filter(s -> s.getName().startsWith("queue")))
        .hasSize(1);
  }

  @Test
  void aMessageWithoutContextStartsATraceWhenSampled() {
    DispatchTracing tracing = tracing(1);
    BatchTrace batch = tracing.received(envelope(null));

    tracing.calling(batch, FUNCTION, "alice", 1);
    tracing.answered(batch, null);

    SpanData queue = span("queue " + FUNCTION);
    SpanData call = span("call " + FUNCTION);
    assertThat(queue.getParentSpanContext().isValid()).isFalse();
    assertThat(call.getParentSpanId()).isEqualTo(queue.getSpanId());
    assertThat(tracing.metrics.started.getCount()).isEqualTo(1);
  }

  @Test
  void aMessageWithoutContextCostsNothingWhenNotSampled() {
    DispatchTracing tracing = tracing(0);

    assertThat(tracing.received(envelope(null))).isNull();
    Invocation invocation = invocation("x");
    assertThat(tracing.backlogged(envelope(null), invocation)).isSameAs(invocation);
  }

  @Test
  void anUnsampledContextIsPassedOnWithoutSpans() {
    DispatchTracing tracing = tracing(1);
    String traceparent = "00-" + TRACE + "-" + SPAN + "-00";
    BatchTrace batch = tracing.received(envelope(traceparent));

    TraceContext sent = tracing.calling(batch, FUNCTION, "alice", 1);
    tracing.answered(batch, null);
    TraceContext outgoing = tracing.applying(batch, FUNCTION);
    tracing.applied(batch);

    assertThat(sent.getTraceparent()).isEqualTo(traceparent);
    assertThat(outgoing.getTraceparent()).isEqualTo(traceparent);
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aMalformedContextIsCountedAndIgnored() {
    DispatchTracing tracing = tracing(0);

    BatchTrace batch = tracing.received(envelope("00-nonsense-01"));

    assertThat(batch).isNull();
    assertThat(tracing.metrics.malformed.getCount()).isEqualTo(1);
  }

  @Test
  void aBatchFromTheBacklogIsCleanedAndItsCallLinksEveryMessage() {
    DispatchTracing tracing = tracing(0);
    String otherSpan = "1111111111111111";
    Invocation first =
        tracing.backlogged(envelope("00-" + TRACE + "-" + SPAN + "-01"), invocation("a"));
    Invocation untraced = invocation("b");
    String otherTrace = "00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-" + otherSpan + "-01";
    Invocation second = tracing.backlogged(envelope(otherTrace), invocation("c"));

    BatchTrace batch = tracing.fromBacklog(List.of(untraced, first, second));
    tracing.calling(batch, FUNCTION, "alice", 3);
    tracing.answered(batch, null);

    assertThat(batch.invocations())
        .containsExactly(invocation("b"), invocation("a"), invocation("c"));
    SpanData call = span("call " + FUNCTION);
    assertThat(call.getTraceId()).isEqualTo(TRACE);
    assertThat(call.getParentSpanId()).isEqualTo(SPAN);
    assertThat(call.getLinks())
        .extracting(link -> link.getSpanContext().getSpanId())
        .containsExactly(otherSpan);
    assertThat(spans.getFinishedSpanItems().stream().filter(s -> s.getName().startsWith("queue")))
        .extracting(SpanData::getParentSpanId)
        .containsExactlyInAnyOrder(SPAN, otherSpan);
  }

  @Test
  void aBatchWithoutTracesStaysAsItIs() {
    assertThat(tracing(1).fromBacklog(List.of(invocation("a"), invocation("b")))).isNull();
  }

  private DispatchTracing tracing(double ratio) {
    return new DispatchTracing(
        null, provider.get("test"), ratio, UnregisteredMetricsGroup.createOperatorMetricGroup());
  }

  private SpanData span(String name) {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no span " + name + " in " + spans.getFinishedSpanItems()));
  }

  private static Envelope envelope(String traceparent) {
    Envelope.Builder envelope =
        Envelope.newBuilder()
            .setTarget(Address.newBuilder().setNamespace("shop").setType("cart").setId("alice"))
            .setPayload(invocation("x").getArgument());
    if (traceparent != null) {
      envelope.setTrace(TraceContext.newBuilder().setTraceparent(traceparent));
    }
    return envelope.build();
  }

  private static Invocation invocation(String text) {
    return Invocation.newBuilder()
        .setArgument(
            TypedValue.newBuilder()
                .setTypename("t/x")
                .setHasValue(true)
                .setValue(ByteString.copyFromUtf8(text)))
        .build();
  }
}
