package io.keyflow.dispatch;

import java.util.List;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;

/**
 * The metrics of one dispatcher subtask over all function types, and the one place that names them.
 * Per-type metrics are in {@link FunctionTypeMetrics}. Updated on the task thread.
 */
final class DispatcherMetrics {
  static final String INVOCATIONS = "keyflowInvocations";
  static final String REQUESTS = "keyflowRequests";
  static final String OUTSTANDING_REQUESTS = "keyflowOutstandingRequests";
  static final String MESSAGES_TO_FUNCTIONS = "keyflowMessagesToFunctions";
  static final String EGRESS_RECORDS = "keyflowEgressRecords";
  static final String DELAYED_MESSAGES = "keyflowDelayedMessages";
  static final String CANCELLATIONS_UNMATCHED = "keyflowCancellationsUnmatched";
  static final String UNKNOWN_EGRESS_RECORDS = "keyflowUnknownEgressRecords";
  static final String FAILED_CALLS = "keyflowFailedCalls";
  static final String DEAD_LETTERS = "keyflowDeadLetters";
  static final String ENDPOINTS_DOWN = "keyflowEndpointsDown";

  /** StateFun's operator-level count of calls on the wire, over every function type. */
  static final String INFLIGHT_ASYNC_OPS = "inflightAsyncOps";

  /** Group per endpoint URL template, holding {@link #ENDPOINT_DOWN}. */
  static final String ENDPOINT_GROUP = "endpoint";

  static final String ENDPOINT_DOWN = "keyflowEndpointDown";

  /** Every name registered on the operator, for docs and tests. */
  static final List<String> NAMES =
      List.of(
          INVOCATIONS,
          REQUESTS,
          OUTSTANDING_REQUESTS,
          MESSAGES_TO_FUNCTIONS,
          EGRESS_RECORDS,
          DELAYED_MESSAGES,
          CANCELLATIONS_UNMATCHED,
          UNKNOWN_EGRESS_RECORDS,
          FAILED_CALLS,
          DEAD_LETTERS,
          ENDPOINTS_DOWN,
          INFLIGHT_ASYNC_OPS);

  final Counter invocations;
  final Counter requests;
  final Counter messagesToFunctions;
  final Counter egressRecords;
  final Counter delayedMessages;
  final Counter cancellationsUnmatched;
  final Counter unknownEgressRecords;
  final Counter failedCalls;
  final Counter deadLetters;
  final Counter inflight;
  private final MetricGroup operator;

  DispatcherMetrics(MetricGroup operator, LongSupplier outstanding, LongSupplier endpointsDown) {
    this.operator = operator;
    invocations = operator.counter(INVOCATIONS);
    requests = operator.counter(REQUESTS);
    operator.gauge(OUTSTANDING_REQUESTS, outstanding::getAsLong);
    messagesToFunctions = operator.counter(MESSAGES_TO_FUNCTIONS);
    egressRecords = operator.counter(EGRESS_RECORDS);
    delayedMessages = operator.counter(DELAYED_MESSAGES);
    cancellationsUnmatched = operator.counter(CANCELLATIONS_UNMATCHED);
    unknownEgressRecords = operator.counter(UNKNOWN_EGRESS_RECORDS);
    failedCalls = operator.counter(FAILED_CALLS);
    deadLetters = operator.counter(DEAD_LETTERS);
    operator.gauge(ENDPOINTS_DOWN, endpointsDown::getAsLong);
    inflight = operator.counter(INFLIGHT_ASYNC_OPS, new SimpleCounter());
  }

  /** Registers whether the endpoint with {@code urlTemplate} is down: 1 while down. */
  void endpoint(String urlTemplate, java.util.function.BooleanSupplier down) {
    operator
        .addGroup(ENDPOINT_GROUP, urlTemplate)
        .gauge(ENDPOINT_DOWN, () -> down.getAsBoolean() ? 1 : 0);
  }
}
