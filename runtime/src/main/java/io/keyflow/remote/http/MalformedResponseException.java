package io.keyflow.remote.http;

import java.io.IOException;

/**
 * A response broke HTTP/1.1 framing (RFC 9112): conflicting or duplicate lengths, both {@code
 * Content-Length} and {@code Transfer-Encoding}, a bad chunk, too many or too long headers, bytes
 * no request asked for. The connection it arrived on is closed, so that no later response on it can
 * be read from the wrong place; the call may succeed on another connection.
 */
public final class MalformedResponseException extends IOException {
  private static final long serialVersionUID = 1L;

  MalformedResponseException(String route, Throwable cause) {
    super(
        "malformed HTTP response from "
            + route
            + " (connection closed): "
            + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()),
        cause);
  }

  MalformedResponseException(String route, String problem) {
    super("malformed HTTP response from " + route + " (connection closed): " + problem);
  }
}
