package io.keyflow.dispatch;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an endpoint is answering, as one dispatcher subtask sees it. A call that fails only with
 * transient errors while no call to the same endpoint has succeeded since it was sent means the
 * endpoint is down (an outage), not that its messages are bad: such calls are held and retried,
 * with a backoff shared by the endpoint, until it answers again.
 */
final class EndpointHealth {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointHealth.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final Duration MISCONFIGURED_LOG_INTERVAL = Duration.ofMinutes(1);

  private final String endpoint;
  private long lastSuccessNanos = Long.MIN_VALUE;
  private long downSinceNanos;
  private boolean down;
  private Duration backoff = FIRST_BACKOFF;
  private long heldCalls;
  private long lastErrorLogNanos;

  EndpointHealth(String endpoint) {
    this.endpoint = endpoint;
  }

  boolean isDown() {
    return down;
  }

  /** Whether a call to this endpoint succeeded after {@code sentAtNanos}. */
  boolean servedSince(long sentAtNanos) {
    return lastSuccessNanos != Long.MIN_VALUE && lastSuccessNanos - sentAtNanos > 0;
  }

  void succeeded(long nowNanos) {
    lastSuccessNanos = nowNanos;
    if (down) {
      down = false;
      LOG.info(
          "Endpoint {} answers again after {} s down; {} held call(s) were retried, none lost",
          endpoint,
          Duration.ofNanos(nowNanos - downSinceNanos).toSeconds(),
          heldCalls);
    }
    backoff = FIRST_BACKOFF;
    heldCalls = 0;
  }

  /**
   * Records a call held because the endpoint's TLS setup is wrong (a configuration error): the
   * endpoint counts as down, and an error naming the fix is logged at once and every minute while
   * it lasts.
   *
   * @return the delay before that call is retried
   */
  Duration misconfigured(long nowNanos, Throwable error, int outstanding) {
    boolean first = !down;
    if (first || nowNanos - lastErrorLogNanos >= MISCONFIGURED_LOG_INTERVAL.toNanos()) {
      lastErrorLogNanos = nowNanos;
      LOG.error(
          "Endpoint {} cannot be called: {} Keyflow keeps the messages for it and retries every"
              + " {} s until the configuration or the certificate is fixed ({} request(s)"
              + " outstanding{}). Metric keyflowEndpointDown is 1 for it meanwhile.",
          endpoint,
          error.getMessage(),
          MAX_BACKOFF.toSeconds(),
          outstanding,
          first
              ? ""
              : ", down for " + Duration.ofNanos(nowNanos - downSinceNanos).toSeconds() + " s");
    }
    heldCalls++;
    if (first) {
      down = true;
      downSinceNanos = nowNanos;
    }
    Duration delay = backoff;
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) < 0 ? backoff.multipliedBy(2) : MAX_BACKOFF;
    return delay;
  }

  /**
   * Records a call held because the endpoint is down.
   *
   * @return the delay before that call is retried
   */
  Duration held(long nowNanos, Throwable error, int outstanding) {
    heldCalls++;
    if (!down) {
      down = true;
      downSinceNanos = nowNanos;
      LOG.warn(
          "Endpoint {} is failing for every address ({}). Keyflow keeps the messages and retries;"
              + " input pauses while {} request(s) are outstanding. Metric keyflowEndpointsDown"
              + " counts endpoints in this state.",
          endpoint,
          error.getMessage(),
          outstanding);
      return backoff;
    }
    Duration delay = backoff;
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) < 0 ? backoff.multipliedBy(2) : MAX_BACKOFF;
    return delay;
  }
}
