package io.keyflow.feedback;

import java.util.List;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/**
 * The metrics of one feedback head subtask, and the one place that names them. StateFun's {@code
 * feedback.produced} and {@code feedback.producedRate} count the same messages as {@code
 * keyflowLoopedMessages}, so StateFun dashboards keep working.
 */
final class FeedbackMetrics {
  static final String LOOPED = "keyflowLoopedMessages";
  static final String QUEUED = "keyflowFeedbackQueued";
  static final String SPILLED = "keyflowFeedbackSpilled";
  static final String SPILLED_BYTES = "keyflowFeedbackSpilledBytes";

  /** StateFun's group and name for messages read from the feedback channel. */
  static final String STATEFUN_GROUP = "feedback";

  static final String STATEFUN_PRODUCED = "produced";

  /** Every name registered on the head operator, for docs and tests. */
  static final List<String> NAMES =
      List.of(
          LOOPED,
          QUEUED,
          SPILLED,
          SPILLED_BYTES,
          STATEFUN_GROUP + "." + STATEFUN_PRODUCED,
          STATEFUN_GROUP + "." + STATEFUN_PRODUCED + "Rate");

  final Counter looped;

  /** The channel's figures; each answers 0 before the channel exists. */
  interface Channel {
    long queued();

    long spilled();

    long spilledBytes();
  }

  FeedbackMetrics(MetricGroup operator, Channel channel) {
    looped = operator.counter(LOOPED);
    MetricGroup statefun = operator.addGroup(STATEFUN_GROUP);
    statefun.counter(STATEFUN_PRODUCED, looped);
    statefun.meter(STATEFUN_PRODUCED + "Rate", new MeterView(looped));
    gauge(operator, QUEUED, channel::queued);
    gauge(operator, SPILLED, channel::spilled);
    gauge(operator, SPILLED_BYTES, channel::spilledBytes);
  }

  private static void gauge(MetricGroup group, String name, LongSupplier value) {
    group.gauge(name, value::getAsLong);
  }
}
