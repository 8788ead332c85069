package io.keyflow.remote.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The heads of requests: the POST line, Host, the headers and Content-Length, as bytes. Everything
 * before the length is the same for every request to one URL with one set of headers, so it is made
 * once per URL and kept; each request copies it and appends its length.
 */
final class RequestHead {
  /** More URLs than this are not kept: a client of a few endpoints never comes close. */
  private static final int MAX_KEPT = 4096;

  private static final byte[] LENGTH_END = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  private record Prefix(Map<String, String> headers, int port, byte[] bytes) {}

  private final ConcurrentHashMap<URI, Prefix> prefixes = new ConcurrentHashMap<>();

  /**
   * The head of a POST to {@code url} with a body of {@code length} bytes; a header whose name or
   * value holds a line break is refused with {@link IllegalArgumentException}.
   */
  byte[] of(URI url, int port, Map<String, String> headers, int length) {
    Prefix prefix = prefixes.get(url);
    if (prefix == null || prefix.headers() != headers || prefix.port() != port) {
      prefix = new Prefix(headers, port, prefix(url, port, headers));
      if (prefixes.size() < MAX_KEPT) {
        prefixes.put(url, prefix);
      }
    }
    return withLength(prefix.bytes(), length);
  }

  /** Everything up to the value of Content-Length. */
  static byte[] prefix(URI url, int port, Map<String, String> headers) {
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
    head.append("Content-Length: ");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** {@code prefix}, the decimal digits of {@code length}, and the blank line ending the head. */
  static byte[] withLength(byte[] prefix, int length) {
    int digits = 1;
    for (int rest = length / 10; rest > 0; rest /= 10) {
      digits++;
    }
    byte[] head = new byte[prefix.length + digits + LENGTH_END.length];
    System.arraycopy(prefix, 0, head, 0, prefix.length);
    int end = prefix.length + digits;
    int rest = length;
    for (int i = end - 1; i >= prefix.length; i--) {
      head[i] = (byte) ('0' + rest % 10);
      rest /= 10;
    }
    System.arraycopy(LENGTH_END, 0, head, end, LENGTH_END.length);
    return head;
  }
}
