package io.keyflow.remote;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs failed attempts that will be retried: a warning at most every {@link #INTERVAL} per endpoint
 * URL, so a function failing for thousands of addresses stays visible without flooding the log; the
 * rest at debug level.
 */
final class RetryLog {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteFunctionClient.class);
  static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final Map<URI, Long> LAST_WARNED = new ConcurrentHashMap<>();

  private RetryLog() {}

  static void retrying(URI url, int attempts, Duration delay, Exception error) {
    long now = System.nanoTime();
    Long previous = LAST_WARNED.get(url);
    boolean warn =
        (previous == null || now - previous >= INTERVAL.toNanos())
            && (previous == null
                ? LAST_WARNED.putIfAbsent(url, now) == null
                : LAST_WARNED.replace(url, previous, now));
    if (warn) {
      LOG.warn(
          "Call to {} failed (attempt {}), retrying in {} ms within the call timeout: {}"
              + " (further retries to this URL are logged at debug level for {} s)",
          url,
          attempts,
          delay.toMillis(),
          error.getMessage(),
          INTERVAL.toSeconds());
    } else {
      LOG.debug(
          "Call to {} failed (attempt {}), retrying in {} ms: {}",
          url,
          attempts,
          delay.toMillis(),
          error.getMessage());
    }
  }
}
