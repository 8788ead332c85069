package io.keyflow.remote.http;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.time.Duration;

/**
 * The connections to one host and port with one set of transport settings, which POSTs requests on
 * them: HTTP/1.1 ({@link ConnectionPool}) or HTTP/2 ({@link Http2Pool}).
 */
public sealed interface HttpPool permits ConnectionPool, Http2Pool {

  /**
   * POSTs {@code body} to {@code uri} (path and query) with the given headers.
   *
   * @param headers the request's headers, {@code Host} among them
   * @param timeout for the exchange once it is on a connection; waiting for one is not counted
   * @param maxBodyBytes a larger response fails with {@link BodyTooLargeException}
   * @return the response; fails with an {@link IOException}
   */
  ResponseFuture post(
      String uri, HttpHeaders headers, byte[] body, Duration timeout, long maxBodyBytes);

  /** Fails what waits and closes every connection; the pool takes no more requests. */
  void shutdownOnLoop();

  /**
   * The pool's state in one line: requests waiting for a connection, and each connection's calls.
   * Call on the pool's event loop ({@link HttpTransport#describe} does).
   */
  String describeOnLoop();

  /** The event loop the pool lives on. */
  EventLoop loop();
}
