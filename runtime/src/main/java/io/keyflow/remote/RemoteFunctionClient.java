package io.keyflow.remote;

import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.Transport;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.ToFunction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

  /** Concurrent requests per endpoint in this JVM, bounded by {@code transport.pool_size}. */
  private static final Map<HttpEndpoint, ConcurrencyLimit> LIMITS = new ConcurrentHashMap<>();

  private final HttpEndpoint endpoint;
  private final Transport transport;
  private final HttpClient http;
  private final ConcurrencyLimit limit;
  private final Map<String, String> staticHeaders;

  static {
    if (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 2) {
      org.slf4j.LoggerFactory.getLogger(RemoteFunctionClient.class)
          .warn(
              "The common ForkJoinPool has {} thread(s), so the JDK HTTP client starts a new"
                  + " thread for every response it completes, which costs more CPU than the call"
                  + " itself. Start this JVM with"
                  + " -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 (in Flink:"
                  + " env.java.opts.all, as flink-conf/config.yaml does).",
              java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
    }
  }

  public RemoteFunctionClient(HttpEndpoint endpoint) {
    this.endpoint = endpoint;
    this.transport = endpoint.transport();
    this.http =
        CLIENTS.computeIfAbsent(
            ClientKey.of(transport),
            key -> {
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
    this.limit = LIMITS.computeIfAbsent(endpoint, e -> new ConcurrencyLimit(transport.poolSize()));
    this.staticHeaders = endpoint.headers();
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
   * Releases the client. The HTTP client and its connections are shared in the JVM and stay for the
   * next user; Java 17's HttpClient has no close.
   */
  @Override
  public void close() {}

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
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(url)
              .timeout(timeout)
              .header("Content-Type", OCTET_STREAM)
              .header("Accept", OCTET_STREAM)
              .header("User-Agent", "keyflow");
      staticHeaders.forEach(builder::header);
      HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
          .handle(
              (response, error) -> {
                try {
                  if (error != null) {
                    failed(RemoteInvocationException.transportFailure(url, unwrap(error)));
                  } else {
                    result.complete(decode(response));
                  }
                } catch (RemoteInvocationException e) {
                  failed(e);
                } catch (RuntimeException e) {
                  result.completeExceptionally(e);
                }
                return null;
              });
    }

    void failed(RemoteInvocationException error) {
      if (!error.retryable()) {
        result.completeExceptionally(
            attempts == 1 ? error : RemoteInvocationException.terminal(url, attempts, error));
        return;
      }
      Duration left = remaining();
      if (left.toMillis() < 1) {
        result.completeExceptionally(
            RemoteInvocationException.exhausted(
                url, attempts, Duration.ofNanos(System.nanoTime() - startNanos), error));
        return;
      }
      Duration delay = backoff.compareTo(left) < 0 ? backoff : left;
      backoff =
          backoff.multipliedBy(2).compareTo(MAX_BACKOFF) < 0
              ? backoff.multipliedBy(2)
              : MAX_BACKOFF;
      RetryLog.retrying(url, attempts, delay, error);
      Executor later = CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS);
      later.execute(this::attempt);
    }
  }

  private FromFunction decode(HttpResponse<byte[]> response) {
    URI url = response.request().uri();
    byte[] body = response.body();
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw RemoteInvocationException.status(url, status, excerpt(body));
    }
    String contentType = response.headers().firstValue("Content-Type").orElse("");
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
