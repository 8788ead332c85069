package io.keyflow.remote.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The head of a request: the POST line, Host, the headers and Content-Length, as bytes. */
final class RequestHead {
  private RequestHead() {}

  /**
   * The head of a POST to {@code url} with a body of {@code length} bytes; a header whose name or
   * value holds a line break is refused with {@link IllegalArgumentException}.
   */
  static byte[] of(URI url, int port, Map<String, String> headers, int length) {
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    StringBuilder head = new StringBuilder(160 + headers.size() * 48);
    head.append("POST ").append(path);
    if (url.getRawQuery() != null) {
      head.append('?').append(url.getRawQuery());
    }
    head.append(" HTTP/1.1\r\nHost: ").append(url.getHost());
    if (url.getPort() >= 0) {
      head.append(':').append(port);
    }
    head.append("\r\n");
    headers.forEach(
        (name, value) -> {
          if (name.indexOf('\r') >= 0
              || name.indexOf('\n') >= 0
              || value.indexOf('\r') >= 0
              || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + name + " holds a line break");
          }
          head.append(name).append(": ").append(value).append("\r\n");
        });
    head.append("Content-Length: ").append(length).append("\r\n\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
