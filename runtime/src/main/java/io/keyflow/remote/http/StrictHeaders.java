package io.keyflow.remote.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Response headers that refuse what Netty's decoder lets through: more than {@link #MAX_FIELDS}
 * header fields, and a second {@code Content-Length} field even with the same value or in an
 * HTTP/1.0 response (Netty takes the first of those). Refusing throws from the decoder, which marks
 * the response as failed.
 */
final class StrictHeaders extends DefaultHttpHeaders {
  /** Header fields a response may carry; a StateFun SDK's response has fewer than ten. */
  static final int MAX_FIELDS = 100;

  /** Makes the headers of each response (and of the trailers of a chunked one). */
  static final HttpHeadersFactory FACTORY =
      new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
          return new StrictHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
          return new StrictHeaders();
        }
      };

  private int fields;

  private StrictHeaders() {
    super(true);
  }

  @Override
  public HttpHeaders add(String name, Object value) {
    return add((CharSequence) name, value);
  }

  @Override
  public HttpHeaders add(CharSequence name, Object value) {
    if (++fields > MAX_FIELDS) {
      throw new IllegalArgumentException("more than " + MAX_FIELDS + " header fields");
    }
    if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name) && contains(name)) {
      throw new IllegalArgumentException(
          "Content-Length given twice (" + get(name) + " and " + value + ")");
    }
    return super.add(name, value);
  }
}
