package io.keyflow.testkit.unit;

import java.time.Duration;

/**
 * The function did not produce a valid answer: it threw, timed out, answered with an HTTP error, or
 * broke the protocol in a way that would fail the request (or the job) in production. A test fails
 * with it, naming what happened.
 */
public final class FunctionCallFailed extends AssertionError {
  private static final long serialVersionUID = 1L;

  private FunctionCallFailed(String message, Throwable cause) {
    super(message, cause);
  }

  static FunctionCallFailed failed(String where, Throwable cause) {
    return new FunctionCallFailed("the function at " + where + " failed: " + cause, unwrap(cause));
  }

  static FunctionCallFailed timedOut(String where, Duration timeout) {
    return new FunctionCallFailed(
        "the function at " + where + " did not answer within " + timeout.toMillis() + " ms", null);
  }

  static FunctionCallFailed status(String where, int status, String body) {
    return new FunctionCallFailed(
        "the function at " + where + " answered HTTP " + status + ": " + body, null);
  }

  /** A response Keyflow would refuse; {@code problem} says why and what production does. */
  static FunctionCallFailed protocol(String address, String problem) {
    return new FunctionCallFailed(address + ": " + problem, null);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
