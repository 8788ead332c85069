package io.keyflow.remote.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The encoded HTTP/1.1 heads of one pool's requests, up to the {@code Content-Length} line: the
 * request line and the headers, encoded once per path and headers object instead of once per
 * request. Function clients hand the same headers object for every untraced call of a route, so
 * nearly every request finds its head here; a traced call brings headers of its own and has its
 * head encoded for it. Used on the pool's event loop only.
 */
final class RequestHeads {
  /** Heads kept, the least recently used dropped first: paths of a pool are few. */
  private static final int MAX_HEADS = 32;

  /** A path and a headers object, the headers told apart by identity (they are never changed). */
  private record Key(String uri, HttpHeaders headers) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && key.headers == headers && key.uri.equals(uri);
    }

    @Override
    public int hashCode() {
      return 31 * uri.hashCode() + System.identityHashCode(headers);
    }
  }

  private final Map<Key, byte[]> heads =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, byte[]> eldest) {
          return size() > MAX_HEADS;
        }
      };

  /** The head of a POST to {@code uri} with {@code headers}, without its Content-Length. */
  byte[] head(String uri, HttpHeaders headers) {
    Key key = new Key(uri, headers);
    byte[] head = heads.get(key);
    if (head == null) {
      head = encode(uri, headers);
      heads.put(key, head);
    }
    return head;
  }

  /**
   * {@code POST <uri> HTTP/1.1}, then each header as {@code name: value}, each line ending in CRLF;
   * a Content-Length among the headers is left out, as each request writes its own. Names and
   * values are ASCII: Netty's header validation refused anything else when they were set.
   */
  static byte[] encode(String uri, HttpHeaders headers) {
    StringBuilder text = new StringBuilder(256);
    text.append("POST ").append(uri.isEmpty() ? "/" : uri).append(" HTTP/1.1\r\n");
    for (Map.Entry<String, String> header : headers) {
      if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(header.getKey())) {
        continue;
      }
      text.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
    }
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
