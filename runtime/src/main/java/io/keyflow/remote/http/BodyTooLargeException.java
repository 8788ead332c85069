package io.keyflow.remote.http;

import java.io.IOException;

/**
 * A response body is larger than the caller accepts. It is not read further: the connection closes.
 */
public final class BodyTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  BodyTooLargeException(long size, long limit) {
    super("response body of at least " + size + " bytes exceeds the limit of " + limit + " bytes");
    this.size = size;
    this.limit = limit;
  }

  /** The body's size as far as it was known when the limit was hit. */
  public long size() {
    return size;
  }

  public long limit() {
    return limit;
  }
}
