package io.keyflow.remote.http;

import java.io.IOException;

/** The connection carrying a request ended before the request's response was complete. */
public final class ConnectionClosedException extends IOException {
  private static final long serialVersionUID = 1L;

  ConnectionClosedException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * What a request to {@code route} fails with when its connection ended for {@code cause} (null
   * when the peer closed it): the cause itself when it is an {@link IOException}.
   */
  static IOException of(String route, Throwable cause, boolean responseStarted) {
    if (cause instanceof IOException io) {
      return io;
    }
    return new ConnectionClosedException(
        "connection to "
            + route
            + " closed before the response "
            + (responseStarted ? "was complete" : "began")
            + (cause == null ? "" : ": " + Connector.describe(cause)),
        cause);
  }
}
