package io.keyflow.module;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the runtime calls an endpoint's functions over HTTP: the {@code transport} object of an
 * {@code io.statefun.endpoints.v2/http} spec.
 *
 * <p>{@code call} is the budget for one request including every retry; {@code connect} bounds one
 * connection attempt; {@code read}/{@code write}, when set, bound one attempt's reading and
 * writing. The pool and payload limits and the TLS file locations apply to the {@link #ASYNC}
 * transport.
 *
 * <p>The optional components ({@code read}, {@code write} and the TLS locations) are nullable
 * record components, because {@link Optional} is not {@link Serializable} and the module travels
 * inside the Flink job graph. Read them through the {@code Optional}-returning methods {@link
 * #readTimeout()}, {@link #writeTimeout()}, {@link #trustCaCerts()}, {@link #clientCert()}, {@link
 * #clientKey()} and {@link #clientKeyPassword()}.
 *
 * @param type {@link #ASYNC} or {@link #OKHTTP}
 * @param poolTtl lifetime of a pooled connection; zero disables the limit, as in StateFun
 * @param trustCaCertsLocation PEM CA bundle ({@code classpath:} or file path), or null
 * @param clientCertLocation PEM client certificate for mTLS, or null; set with clientKeyLocation
 * @param clientKeyLocation PKCS#8 client key for mTLS, or null; set with clientCertLocation
 * @param clientKeyPasswordLocation a file holding the client key's password, or null
 * @param pipelining requests one HTTP/1.1 connection carries at once (Keyflow); 1, the default,
 *     waits for each response before the next request
 * @param protocol HTTP/1.1 (the default) or HTTP/2 (Keyflow)
 */
public record Transport(
    String type,
    Duration call,
    Duration connect,
    Duration read,
    Duration write,
    Duration poolTtl,
    int poolSize,
    long payloadMaxBytes,
    String trustCaCertsLocation,
    String clientCertLocation,
    String clientKeyLocation,
    String clientKeyPasswordLocation,
    int pipelining,
    HttpProtocol protocol)
    implements Serializable {

  /** The Netty-based StateFun transport; the default since StateFun 3.2. */
  public static final String ASYNC = "io.statefun.transports.v1/async";

  /** The OkHttp-based StateFun transport; the only one of endpoint v1. */
  public static final String OKHTTP = "io.statefun.transports.v1/okhttp";

  static final Duration DEFAULT_CALL = Duration.ofMinutes(2);
  static final Duration DEFAULT_CONNECT = Duration.ofSeconds(20);
  static final Duration DEFAULT_POOL_TTL = Duration.ofSeconds(15);
  static final int DEFAULT_POOL_SIZE = 64;
  static final long DEFAULT_PAYLOAD_MAX_BYTES = 32L * 1024 * 1024;

  // Defaults of a `timeouts` object, and of the okhttp transport.
  static final Duration TIMEOUTS_CALL = Duration.ofMinutes(1);
  static final Duration TIMEOUTS_CONNECT = Duration.ofSeconds(10);
  static final Duration OKHTTP_READ = Duration.ofSeconds(10);
  static final Duration OKHTTP_WRITE = Duration.ofSeconds(10);

  public Transport {
    if (!ASYNC.equals(type) && !OKHTTP.equals(type)) {
      throw new IllegalArgumentException(
          "transport type '" + type + "' is unknown; expected " + ASYNC + " or " + OKHTTP);
    }
    requirePositive("call", call);
    requirePositive("connect", connect);
    if (read != null) {
      requirePositive("read", read);
    }
    if (write != null) {
      requirePositive("write", write);
    }
    requireAtMostCall("connect", connect, call);
    requireAtMostCall("read", read, call);
    requireAtMostCall("write", write, call);
    Objects.requireNonNull(poolTtl, "poolTtl");
    if (poolTtl.isNegative()) {
      throw new IllegalArgumentException("pool_ttl is negative (" + poolTtl + ")");
    }
    if (poolSize <= 0) {
      throw new IllegalArgumentException("pool_size must be positive, got " + poolSize);
    }
    if (payloadMaxBytes <= 0) {
      throw new IllegalArgumentException(
          "payload_max_bytes must be positive, got " + payloadMaxBytes);
    }
    if (pipelining < 1) {
      throw new IllegalArgumentException("pipelining must be at least 1, got " + pipelining);
    }
    if ((clientCertLocation == null) != (clientKeyLocation == null)) {
      throw new IllegalArgumentException("client_cert and client_key go together: give both");
    }
    Objects.requireNonNull(protocol, "protocol");
    if (protocol == HttpProtocol.HTTP2 && pipelining > 1) {
      throw new IllegalArgumentException(
          "pipelining applies to HTTP/1.1 only; HTTP/2 multiplexes calls on its own");
    }
  }

  /** The settings of an HTTP/1.1 transport. */
  public Transport(
      String type,
      Duration call,
      Duration connect,
      Duration read,
      Duration write,
      Duration poolTtl,
      int poolSize,
      long payloadMaxBytes,
      String trustCaCertsLocation,
      String clientCertLocation,
      String clientKeyLocation,
      String clientKeyPasswordLocation,
      int pipelining) {
    this(
        type,
        call,
        connect,
        read,
        write,
        poolTtl,
        poolSize,
        payloadMaxBytes,
        trustCaCertsLocation,
        clientCertLocation,
        clientKeyLocation,
        clientKeyPasswordLocation,
        pipelining,
        HttpProtocol.HTTP1);
  }

  /** These settings with {@code protocol}. */
  public Transport withProtocol(HttpProtocol protocol) {
    return new Transport(
        type,
        call,
        connect,
        read,
        write,
        poolTtl,
        poolSize,
        payloadMaxBytes,
        trustCaCertsLocation,
        clientCertLocation,
        clientKeyLocation,
        clientKeyPasswordLocation,
        pipelining,
        protocol);
  }

  /** The async transport with StateFun's timeouts (call 2 min, connect 20 s) and 64 connections. */
  public static Transport defaults() {
    return new Transport(
        ASYNC,
        DEFAULT_CALL,
        DEFAULT_CONNECT,
        null,
        null,
        DEFAULT_POOL_TTL,
        DEFAULT_POOL_SIZE,
        DEFAULT_PAYLOAD_MAX_BYTES,
        null,
        null,
        null,
        null,
        1);
  }

  /** The okhttp transport with StateFun's defaults: call 1 min, connect/read/write 10 s. */
  public static Transport okHttpDefaults() {
    return okHttp(TIMEOUTS_CALL, TIMEOUTS_CONNECT, OKHTTP_READ, OKHTTP_WRITE);
  }

  static Transport okHttp(Duration call, Duration connect, Duration read, Duration write) {
    return new Transport(
        OKHTTP,
        call,
        connect,
        read,
        write,
        DEFAULT_POOL_TTL,
        DEFAULT_POOL_SIZE,
        DEFAULT_PAYLOAD_MAX_BYTES,
        null,
        null,
        null,
        null,
        1);
  }

  public Optional<Duration> readTimeout() {
    return Optional.ofNullable(read);
  }

  public Optional<Duration> writeTimeout() {
    return Optional.ofNullable(write);
  }

  public Optional<String> trustCaCerts() {
    return Optional.ofNullable(trustCaCertsLocation);
  }

  public Optional<String> clientCert() {
    return Optional.ofNullable(clientCertLocation);
  }

  public Optional<String> clientKey() {
    return Optional.ofNullable(clientKeyLocation);
  }

  public Optional<String> clientKeyPassword() {
    return Optional.ofNullable(clientKeyPasswordLocation);
  }

  private static void requirePositive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "transport " + field + " must be a positive duration, got " + value);
    }
  }

  private static void requireAtMostCall(String field, Duration value, Duration call) {
    if (value != null && value.compareTo(call) > 0) {
      throw new IllegalArgumentException(
          "transport " + field + " (" + value + ") is longer than call (" + call + ")");
    }
  }
}
