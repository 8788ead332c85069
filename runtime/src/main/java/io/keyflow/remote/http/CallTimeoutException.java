package io.keyflow.remote.http;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** A request got no complete response within its timeout; its connection was closed. */
public final class CallTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  CallTimeoutException(String message) {
    super(message);
  }

  /** A request to {@code route} that timed out after {@code timeoutNanos}. */
  static CallTimeoutException after(String route, long timeoutNanos, boolean responseStarted) {
    return new CallTimeoutException(
        "request to "
            + route
            + " timed out after "
            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
            + " ms"
            + (responseStarted ? " (the response began but did not end)" : ""));
  }
}
