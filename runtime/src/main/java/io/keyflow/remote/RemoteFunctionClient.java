package io.keyflow.remote;

import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.Transport;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.remote.http.Http1Client;
import io.keyflow.remote.http.ResponseTooLargeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Calls the functions of one {@link HttpEndpoint}: POSTs a {@code ToFunction} and completes with
 * the decoded {@code FromFunction}, retrying with exponential backoff within the endpoint's call
 * budget ({@code transport.call}).
 *
 * <p>Plain {@code http:} calls go through Keyflow's own HTTP/1.1 client ({@link Http1Client}), one
 * per connect timeout and pool TTL in the JVM, shared while any endpoint uses it; {@code https:}
 * calls go through the JDK's HTTP client with the endpoint's TLS material.
 *
 * <p>Completions run on the HTTP client's threads; callers hop to their own thread. Decoding
 * happens here, off the caller's thread.
 */
public final class RemoteFunctionClient implements AutoCloseable {
  private static final String OCTET_STREAM = "application/octet-stream";
  private static final Duration INITIAL_BACKOFF = Duration.ofMillis(10);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
  private static final Duration MIN_ATTEMPT_TIMEOUT = Duration.ofMillis(10);

  /**
   * One HTTP client (and connection pool) per connect timeout in this JVM, shared by every subtask
   * and kept across restarts: Java 17's client cannot be closed, so per-attempt clients would leave
   * their pooled connections open until garbage collection.
   */
  private static final Map<ClientKey, HttpClient> CLIENTS = new ConcurrentHashMap<>();

  /** What distinguishes one shared HTTP client from another: timeouts and TLS material. */
  private record ClientKey(
      Duration connect, String trustCaCerts, String clientCert, String clientKey, String password) {
    static ClientKey of(Transport t) {
      return new ClientKey(
          t.connect(),
          t.trustCaCerts().orElse(null),
          t.clientCert().orElse(null),
          t.clientKey().orElse(null),
          t.clientKeyPassword().orElse(null));
    }
  }

  /** One lean client per connect timeout, pool TTL and pipelining, with its number of users. */
  private static final Map<PlainKey, SharedPlain> PLAIN = new HashMap<>();

  private record PlainKey(Duration connect, Duration idle, int pipelining) {}

  private static final class SharedPlain {
    final Http1Client client;
    int users;

    SharedPlain(Http1Client client) {
      this.client = client;
    }
  }

  /** Concurrent requests per endpoint in this JVM, bounded by {@code transport.pool_size}. */
  private static final Map<HttpEndpoint, ConcurrencyLimit> LIMITS = new ConcurrentHashMap<>();

  private final HttpEndpoint endpoint;
  private final Transport transport;
  private final PlainKey plainKey;
  private final SharedPlain shared;
  private final Http1Client plain;
  private volatile HttpClient tls;
  private volatile boolean closed;
  private final ConcurrencyLimit limit;

  /** Every request's headers: the protocol's, then the endpoint's {@code headers}. */
  private final Map<String, String> headers;

  public RemoteFunctionClient(HttpEndpoint endpoint) {
    this.endpoint = endpoint;
    this.transport = endpoint.transport();
    this.plainKey =
        new PlainKey(
            transport.connect(),
            transport.poolTtl().isZero() ? Duration.ofDays(365) : transport.poolTtl(),
            transport.pipelining());
    this.shared = acquirePlain(plainKey);
    this.plain = shared.client;
    this.limit = LIMITS.computeIfAbsent(endpoint, e -> new ConcurrencyLimit(transport.poolSize()));
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Content-Type", OCTET_STREAM);
    all.put("Accept", OCTET_STREAM);
    all.put("User-Agent", "keyflow");
    all.putAll(endpoint.headers());
    this.headers = java.util.Collections.unmodifiableMap(all);
  }

  public HttpEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Sends {@code request} to {@code url}; the future fails with {@link RemoteInvocationException}.
   */
  public CompletableFuture<FromFunction> invoke(URI url, ToFunction request) {
    Call call = new Call(url, request.toByteArray(), System.nanoTime());
    limit.run(call::attempt, call.result);
    return call.result;
  }

  /**
   * Releases the client. The plain HTTP client closes with its last user; the JDK's client (for
   * {@code https:}) is shared in the JVM and stays, as Java 17's HttpClient has no close.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (PLAIN) {
      // Release exactly what was acquired: the map may hold a newer client for the key by now.
      if (--shared.users == 0) {
        PLAIN.remove(plainKey, shared);
        shared.client.close();
      }
    }
  }

  private static SharedPlain acquirePlain(PlainKey key) {
    synchronized (PLAIN) {
      SharedPlain shared =
          PLAIN.computeIfAbsent(
              key, k -> new SharedPlain(new Http1Client(k.connect(), k.idle(), k.pipelining())));
      shared.users++;
      return shared;
    }
  }

  private HttpClient tls() {
    HttpClient client = tls;
    if (client == null) {
      client =
          CLIENTS.computeIfAbsent(
              ClientKey.of(transport),
              key -> {
                warnIfCommonPoolIsSmall();
                HttpClient.Builder builder =
                    HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(key.connect())
                        .followRedirects(HttpClient.Redirect.NEVER);
                if (TlsMaterial.custom(transport)) {
                  builder.sslContext(TlsMaterial.context(transport));
                }
                return builder.build();
              });
      tls = client;
    }
    return client;
  }

  private final class Call {
    final URI url;
    final byte[] body;
    long startNanos;
    final CompletableFuture<FromFunction> result = new CompletableFuture<>();
    int attempts;
    Duration backoff = INITIAL_BACKOFF;

    Call(URI url, byte[] body, long startNanos) {
      this.url = url;
      this.body = body;
      this.startNanos = startNanos;
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
      if (attempts == 0) {
        // The budget starts with the first attempt: waiting for a pool_size slot is not the
        // function's time.
        startNanos = System.nanoTime();
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
      if ("http".equalsIgnoreCase(url.getScheme())) {
        plain
            .post(url, headers, body, timeout, transport.payloadMaxBytes())
            .handle(
                (response, error) -> {
                  if (error == null) {
                    answered(response.status(), response.contentType(), response.body());
                  } else {
                    transportFailed(error);
                  }
                  return null;
                });
        return;
      }
      HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(timeout);
      headers.forEach(builder::header);
      HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      tls()
          .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
          .handle(
              (response, error) -> {
                if (error == null) {
                  answered(
                      response.statusCode(),
                      response.headers().firstValue("Content-Type").orElse(""),
                      response.body());
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
      if (cause instanceof ResponseTooLargeException large) {
        result.completeExceptionally(
            RemoteInvocationException.tooLarge(url, large.size(), large.limit()));
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

  private static void warnIfCommonPoolIsSmall() {
    if (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 2) {
      org.slf4j.LoggerFactory.getLogger(RemoteFunctionClient.class)
          .warn(
              "The common ForkJoinPool has {} thread(s), so the JDK HTTP client (used for https"
                  + " endpoints) starts a new thread for every response it completes, which costs"
                  + " more CPU than the call itself. Start this JVM with"
                  + " -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 (in Flink:"
                  + " env.java.opts.all, as flink-conf/config.yaml does).",
              java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
    }
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
