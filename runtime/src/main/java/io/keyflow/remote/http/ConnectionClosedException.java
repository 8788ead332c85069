package io.keyflow.remote.http;

import java.io.IOException;

/** The connection carrying a request ended before the request's response was complete. */
public final class ConnectionClosedException extends IOException {
  private static final long serialVersionUID = 1L;

  ConnectionClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
