package io.keyflow.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.protocol.internal.TraceContext;
import io.opentelemetry.api.trace.SpanContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceHeadersTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  @Test
  void aSampledTraceparentNamesItsTraceAndSpanAsARemoteParent() {
    SpanContext parent =
        TraceHeaders.parse(
            TraceContext.newBuilder()
                .setTraceparent("00-" + TRACE + "-" + SPAN + "-01")
                .setTracestate("vendor=abc")
                .build());

    assertThat(parent.getTraceId()).isEqualTo(TRACE);
    assertThat(parent.getSpanId()).isEqualTo(SPAN);
    assertThat(parent.isSampled()).isTrue();
    assertThat(parent.isRemote()).isTrue();
    assertThat(parent.getTraceState().get("vendor")).isEqualTo("abc");
  }

  @Test
  void anUnsampledTraceparentIsReadWithItsFlag() {
    SpanContext parent =
        TraceHeaders.parse(
            TraceContext.newBuilder().setTraceparent("00-" + TRACE + "-" + SPAN + "-00").build());

    assertThat(parent.isSampled()).isFalse();
  }

  @Test
  void formatWritesWhatParseReads() {
    TraceContext headers =
        TraceContext.newBuilder()
            .setTraceparent("00-" + TRACE + "-" + SPAN + "-01")
            .setTracestate("vendor=abc")
            .build();

    TraceContext again = TraceHeaders.format(TraceHeaders.parse(headers));

    assertThat(again.getTraceparent()).isEqualTo(headers.getTraceparent());
    assertThat(again.getTracestate()).isEqualTo("vendor=abc");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "garbage",
        "00-" + TRACE + "-" + SPAN,
        "00-" + TRACE + "-" + SPAN + "-1",
        "ff-" + TRACE + "-" + SPAN + "-01",
        "00-00000000000000000000000000000000-" + SPAN + "-01",
        "00-" + TRACE + "-0000000000000000-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E473X-" + SPAN + "-01",
        "00_" + TRACE + "_" + SPAN + "_01"
      })
  void aMalformedTraceparentNamesNoParent(String traceparent) {
    assertThat(TraceHeaders.parse(TraceContext.newBuilder().setTraceparent(traceparent).build()))
        .isNull();
  }

  @Test
  void noTraceparentNamesNoParent() {
    assertThat(TraceHeaders.parse(null)).isNull();
    assertThat(TraceHeaders.parse(TraceContext.newBuilder().setTracestate("a=b").build())).isNull();
  }
}
