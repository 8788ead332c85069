package io.keyflow.remote;

import java.net.URI;
import java.time.Duration;

/**
 * A call to a remote function failed. {@link #retryable()} tells whether another attempt can help
 * (a connection failure, a timeout, a 5xx) or not (a 4xx, a body that is not a StateFun response).
 */
public final class RemoteInvocationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;
  private final boolean transientFailure;

  private final boolean responded;
  private final boolean configurationError;

  private RemoteInvocationException(String message, Throwable cause, boolean retryable) {
    this(message, cause, retryable, retryable, true);
  }

  private RemoteInvocationException(
      String message,
      Throwable cause,
      boolean retryable,
      boolean transientFailure,
      boolean responded) {
    this(message, cause, retryable, transientFailure, responded, false);
  }

  private RemoteInvocationException(
      String message,
      Throwable cause,
      boolean retryable,
      boolean transientFailure,
      boolean responded,
      boolean configurationError) {
    super(message, cause);
    this.retryable = retryable;
    this.transientFailure = transientFailure;
    this.responded = responded;
    this.configurationError = configurationError;
  }

  /**
   * Whether the call failed because the endpoint's configuration or the server's certificate is
   * wrong (a TLS failure that another attempt cannot fix): not the message's fault, and not an
   * outage that passes by itself. The message names the fix.
   */
  public boolean configurationError() {
    if (getCause() instanceof RemoteInvocationException last) {
      return last.configurationError();
    }
    return configurationError;
  }

  /**
   * Whether the function answered the (last) attempt, with an error status or a body Keyflow cannot
   * use; false when no answer came (connection refused or reset, timeout).
   */
  public boolean answered() {
    if (getCause() instanceof RemoteInvocationException last) {
      return last.answered();
    }
    return responded;
  }

  public boolean retryable() {
    return retryable;
  }

  /**
   * Whether the call failed only with errors that could pass (connection failures, timeouts,
   * throttling, server errors) until its {@code transport.call} budget ran out, as opposed to being
   * rejected (a 4xx, a body that is not a StateFun response).
   */
  public boolean transientFailure() {
    return transientFailure;
  }

  static RemoteInvocationException transportFailure(URI url, Throwable cause) {
    return new RemoteInvocationException(
        "POST " + url + " failed: " + describe(cause), cause, true, true, false);
  }

  static RemoteInvocationException tlsConfiguration(URI url, Throwable cause) {
    return new RemoteInvocationException(
        "POST " + url + " failed: " + cause.getMessage(), cause, false, true, false, true);
  }

  static RemoteInvocationException status(URI url, int status, String bodyExcerpt) {
    boolean retryable = isRetryableStatus(status);
    return new RemoteInvocationException(
        "POST "
            + url
            + " answered HTTP "
            + status
            + (bodyExcerpt.isEmpty() ? "" : ": " + bodyExcerpt)
            + (retryable ? "" : " (not retried: the function rejected the request)"),
        null,
        retryable);
  }

  static RemoteInvocationException contentType(URI url, String contentType) {
    return new RemoteInvocationException(
        "POST "
            + url
            + " answered with Content-Type '"
            + contentType
            + "'; a StateFun function answers application/octet-stream. Is the URL the"
            + " function's endpoint?",
        null,
        false);
  }

  static RemoteInvocationException tooLarge(URI url, long size, long limit) {
    return new RemoteInvocationException(
        "POST "
            + url
            + " answered "
            + size
            + " bytes, more than transport.payload_max_bytes ("
            + limit
            + ")",
        null,
        false);
  }

  static RemoteInvocationException undecodable(URI url, Throwable cause) {
    return new RemoteInvocationException(
        "POST " + url + " answered a body that is not a StateFun FromFunction message",
        cause,
        false);
  }

  static RemoteInvocationException exhausted(
      URI url, int attempts, Duration elapsed, RemoteInvocationException last) {
    return new RemoteInvocationException(
        "calling "
            + url
            + " failed after "
            + attempts
            + (attempts == 1 ? " attempt" : " attempts")
            + " in "
            + elapsed.toMillis()
            + " ms (transport.call budget used up); last error: "
            + last.getMessage(),
        last,
        false,
        last.retryable(),
        last.answered());
  }

  static RemoteInvocationException terminal(URI url, int attempts, RemoteInvocationException last) {
    return new RemoteInvocationException(
        "calling " + url + " failed after " + attempts + " attempt(s): " + last.getMessage(),
        last,
        false);
  }

  /** The statuses worth another attempt: timeouts, conflicts, throttling and server errors. */
  static boolean isRetryableStatus(int status) {
    return status == 408
        || status == 409
        || status == 420
        || status == 429
        || status == 499
        || status >= 500;
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
