package io.keyflow.remote;

import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.Transport;
import io.keyflow.protocol.internal.TraceContext;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.remote.http.BodyTooLargeException;
import io.keyflow.remote.http.ConnectionStats;
import io.keyflow.remote.http.HttpPool;
import io.keyflow.remote.http.HttpTransport;
import io.keyflow.remote.http.PoolKey;
import io.keyflow.remote.http.ResponseFuture;
import io.keyflow.remote.http.TlsConfigurationException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Calls the functions of one {@link HttpEndpoint}: POSTs a {@code ToFunction} and completes with
 * the decoded {@code FromFunction}, retrying with exponential backoff within the endpoint's call
 * budget ({@code transport.call}).
 *
 * <p>Both {@code http:} and {@code https:} calls go through Keyflow's Netty-based client ({@link
 * HttpTransport}), shared in the JVM, with one connection pool per host, port and transport
 * settings; {@code https:} connections use the endpoint's TLS material.
 *
 * <p>Completions run on the HTTP client's threads; callers hop to their own thread. Decoding
 * happens here, off the caller's thread.
 */
public final class RemoteFunctionClient implements AutoCloseable {
  private static final String OCTET_STREAM = "application/octet-stream";
  private static final String TRACEPARENT = "traceparent";
  private static final String TRACESTATE = "tracestate";
  private static final Duration INITIAL_BACKOFF = Duration.ofMillis(10);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
  private static final Duration MIN_ATTEMPT_TIMEOUT = Duration.ofMillis(10);

  private final HttpEndpoint endpoint;
  private final Transport transport;
  private final HttpTransport http;
  private volatile boolean closed;

  /** The pool of the last URL's host and port: an endpoint's URLs nearly always share one. */
  private volatile Route lastRoute;

  private record Route(String scheme, String host, int port, HttpPool pool, HttpHeaders headers) {
    boolean serves(URI url) {
      return url.getPort() == port
          && host.equals(url.getHost())
          && scheme.equalsIgnoreCase(url.getScheme());
    }
  }

  /** Every request's headers: the protocol's, then the endpoint's {@code headers}, without Host. */
  private final Map<String, String> headers;

  public RemoteFunctionClient(HttpEndpoint endpoint) {
    this.endpoint = endpoint;
    this.transport = endpoint.transport();
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Content-Type", OCTET_STREAM);
    all.put("Accept", OCTET_STREAM);
    all.put("User-Agent", "keyflow");
    all.putAll(endpoint.headers());
    this.headers = java.util.Collections.unmodifiableMap(all);
    this.http = HttpTransport.acquire();
  }

  public HttpEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Sends {@code request} to {@code url}; the future fails with {@link RemoteInvocationException}.
   */
  public CompletableFuture<FromFunction> invoke(URI url, ToFunction request) {
    return invoke(url, request, null);
  }

  /**
   * Sends {@code request} to {@code url} with the W3C trace context headers of {@code trace} (none
   * when null); the future fails with {@link RemoteInvocationException}.
   */
  public CompletableFuture<FromFunction> invoke(URI url, ToFunction request, TraceContext trace) {
    Call call = new Call(url, request.toByteArray(), trace);
    call.attempt();
    return call.result;
  }

  /**
   * Connections opened to the host and port of {@code url} in this JVM, and the most open at once.
   */
  public static ConnectionStats connections(URI url) {
    return HttpTransport.stats(PoolKey.of(url, Transport.defaults()).route());
  }

  /** Releases the client; the shared HTTP client closes with its last user. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    http.close();
  }

  private Route route(URI url) {
    Route route = lastRoute;
    if (route != null && route.serves(url)) {
      return route;
    }
    PoolKey key = PoolKey.of(url, transport);
    HttpPool pool = http.pool(key, () -> TlsMaterial.clientTls(transport));
    HttpHeaders all = new DefaultHttpHeaders();
    all.set("Host", url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + key.port());
    headers.forEach(all::set);
    route = new Route(url.getScheme(), url.getHost(), url.getPort(), pool, all);
    lastRoute = route;
    return route;
  }

  private final class Call {
    final URI url;
    final byte[] body;
    final TraceContext trace;
    long startNanos = System.nanoTime();
    final CompletableFuture<FromFunction> result = new CompletableFuture<>();
    int attempts;
    Duration backoff = INITIAL_BACKOFF;

    Call(URI url, byte[] body, TraceContext trace) {
      this.url = url;
      this.body = body;
      this.trace = trace;
    }

    /** The route's headers, plus the trace context's when the call has one. */
    HttpHeaders headers(Route route) {
      if (trace == null || trace.getTraceparent().isEmpty()) {
        return route.headers();
      }
      HttpHeaders traced = new DefaultHttpHeaders().add(route.headers());
      traced.set(TRACEPARENT, trace.getTraceparent());
      if (!trace.getTracestate().isEmpty()) {
        traced.set(TRACESTATE, trace.getTracestate());
      }
      return traced;
    }

    Duration remaining() {
      return transport.call().minusNanos(System.nanoTime() - startNanos);
    }

    void attempt() {
      if (closed) {
        result.completeExceptionally(
            RemoteInvocationException.transportFailure(
                url, new java.io.IOException("the function client was closed")));
        return;
      }
      attempts++;
      Duration timeout = remaining();
      if (transport.readTimeout().isPresent()) {
        Duration perAttempt =
            transport.readTimeout().get().plus(transport.writeTimeout().orElse(Duration.ZERO));
        if (perAttempt.compareTo(timeout) < 0) {
          timeout = perAttempt;
        }
      }
      if (timeout.compareTo(MIN_ATTEMPT_TIMEOUT) < 0) {
        timeout = MIN_ATTEMPT_TIMEOUT;
      }
      Route route;
      try {
        route = route(url);
      } catch (IllegalArgumentException e) {
        result.completeExceptionally(e);
        return;
      }
      String target =
          url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      if (url.getRawQuery() != null) {
        target += "?" + url.getRawQuery();
      }
      ResponseFuture response =
          route.pool().post(target, headers(route), body, timeout, transport.payloadMaxBytes());
      boolean first = attempts == 1;
      response.handle(
          (answer, error) -> {
            if (first && response.startedNanos() != 0) {
              // The budget starts when the first attempt goes onto a connection: waiting for one
              // of the pool's connections is not the function's time.
              startNanos = response.startedNanos();
            }
            if (error == null) {
              answered(answer.status(), answer.contentType(), answer.body());
            } else {
              transportFailed(error);
            }
            return null;
          });
    }

    /** The function answered this attempt: decode, or fail (and maybe retry) the call. */
    private void answered(int status, String contentType, byte[] responseBody) {
      try {
        result.complete(decode(url, status, contentType, responseBody));
      } catch (RemoteInvocationException e) {
        failed(e);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }

    /** The attempt got no usable answer. */
    private void transportFailed(Throwable error) {
      Throwable cause = unwrap(error);
      if (cause instanceof BodyTooLargeException large) {
        result.completeExceptionally(
            RemoteInvocationException.tooLarge(url, large.size(), large.limit()));
      } else if (cause instanceof TlsConfigurationException tls) {
        result.completeExceptionally(RemoteInvocationException.tlsConfiguration(url, tls));
      } else {
        failed(RemoteInvocationException.transportFailure(url, cause));
      }
    }

    void failed(RemoteInvocationException error) {
      // A closed client belongs to a dispatcher that has gone (task restart or job end): its
      // calls end here instead of retrying against a closed connection pool.
      if (closed || !error.retryable()) {
        result.completeExceptionally(
            attempts == 1 ? error : RemoteInvocationException.terminal(url, attempts, error));
        return;
      }
      Duration left = remaining();
      // An attempt left with less than MIN_ATTEMPT_TIMEOUT after its backoff could only time out,
      // and would replace the real error with that timeout.
      if (left.compareTo(backoff.plus(MIN_ATTEMPT_TIMEOUT)) < 0) {
        result.completeExceptionally(
            RemoteInvocationException.exhausted(
                url, attempts, Duration.ofNanos(System.nanoTime() - startNanos), error));
        return;
      }
      Duration delay = backoff;
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) < 0
              ? backoff.multipliedBy(2)
              : MAX_BACKOFF;
      RetryLog.retrying(url, attempts, delay, error);
      Executor later = CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS);
      later.execute(this::attempt);
    }
  }

  private FromFunction decode(URI url, int status, String contentType, byte[] body) {
    if (status < 200 || status > 299) {
      throw RemoteInvocationException.status(url, status, excerpt(body));
    }
    if (!isOctetStream(contentType)) {
      throw RemoteInvocationException.contentType(url, contentType);
    }
    if (body.length > transport.payloadMaxBytes()) {
      throw RemoteInvocationException.tooLarge(url, body.length, transport.payloadMaxBytes());
    }
    try {
      return FromFunction.parseFrom(body);
    } catch (IOException e) {
      throw RemoteInvocationException.undecodable(url, e);
    }
  }

  /** Media type comparison; parameters such as a charset are tolerated. */
  static boolean isOctetStream(String contentType) {
    int semicolon = contentType.indexOf(';');
    String mediaType = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return mediaType.trim().toLowerCase(Locale.ROOT).equals(OCTET_STREAM);
  }

  private static String excerpt(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return text.replaceAll("\\s+", " ").trim();
  }

  private static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }
}
