package io.keyflow.remote.http;

import java.io.IOException;

/** A request got no complete response within its timeout; its connection was closed. */
public final class CallTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  CallTimeoutException(String message) {
    super(message);
  }
}
