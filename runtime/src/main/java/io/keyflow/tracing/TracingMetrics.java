package io.keyflow.tracing;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** The tracing metrics of a dispatcher subtask. */
final class TracingMetrics {
  /** Messages whose trace context was malformed and ignored. */
  static final String MALFORMED = "keyflowTraceContextsMalformed";

  /** Messages that arrived without a trace context and started one (sampled). */
  static final String STARTED = "keyflowTracesStarted";

  /** Every name above, for the documentation check. */
  static final java.util.List<String> NAMES = java.util.List.of(MALFORMED, STARTED);

  final Counter malformed;
  final Counter started;

  TracingMetrics(MetricGroup operator) {
    malformed = operator.counter(MALFORMED);
    started = operator.counter(STARTED);
  }
}
