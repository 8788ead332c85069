package io.keyflow.module;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Reads the {@code transport} object of an endpoint v2 spec, and the okhttp {@code timeouts} object
 * that endpoint v1 has directly under its spec.
 *
 * <p>As in StateFun, a {@code timeouts} object takes precedence over the top-level {@code call} and
 * {@code connect}, with its own defaults (1 min and 10 s) even when it sets only one of them.
 * Unlike StateFun's async transport, Keyflow honours {@code timeouts.read}/{@code write}, so they
 * are kept.
 */
final class TransportSpec {

  private static final String[] TIMEOUT_KEYS = {"call", "connect", "read", "write"};
  private static final List<String> ASYNC_ONLY =
      List.of(
          "call",
          "connect",
          "pool_ttl",
          "pool_size",
          "payload_max_bytes",
          "trust_cacerts",
          "client_cert",
          "client_key",
          "client_key_password",
          "pipelining",
          "protocol");

  private static final String[] ALL_KEYS =
      Stream.concat(Stream.of("type", "timeouts"), ASYNC_ONLY.stream()).toArray(String[]::new);

  private static final String BOTH =
      "client_cert and client_key together (PEM certificate and PKCS#8 key), or neither";

  private TransportSpec() {}

  static Transport read(YamlNode transport) {
    transport.allowOnlyKeys(ALL_KEYS);
    String type = transport.optionalString("type").orElse(Transport.ASYNC);
    if (type.equals(Transport.OKHTTP)) {
      for (String key : transport.keys()) {
        if (ASYNC_ONLY.contains(key)) {
          throw transport.error(
              key,
              "'" + key + "' is a property of " + Transport.ASYNC + ", not of " + Transport.OKHTTP,
              "type and timeouts (call, connect, read, write) for " + Transport.OKHTTP);
        }
      }
      return okHttp(transport);
    }
    if (!type.equals(Transport.ASYNC)) {
      throw transport.error(
          "type",
          "unknown transport type '"
              + type
              + "'"
              + Spelling.hint(type, List.of(Transport.ASYNC, Transport.OKHTTP)),
          Transport.ASYNC + " (the default) or " + Transport.OKHTTP);
    }
    return async(transport);
  }

  /** The okhttp transport configured by the {@code timeouts} object under {@code parent}. */
  static Transport okHttp(YamlNode parent) {
    Optional<YamlNode> timeouts = parent.optionalObject("timeouts");
    YamlNode at = timeouts.orElse(null);
    timeouts.ifPresent(t -> t.allowOnlyKeys(TIMEOUT_KEYS));
    Duration call = positive(at, "call", Transport.TIMEOUTS_CALL);
    Duration connect = atMostCall(at, "connect", Transport.TIMEOUTS_CONNECT, call);
    Duration read = atMostCall(at, "read", Transport.OKHTTP_READ, call);
    Duration write = atMostCall(at, "write", Transport.OKHTTP_WRITE, call);
    return build(parent, () -> Transport.okHttp(call, connect, read, write));
  }

  private static Transport async(YamlNode transport) {
    Optional<YamlNode> timeouts = transport.optionalObject("timeouts");
    timeouts.ifPresent(t -> t.allowOnlyKeys(TIMEOUT_KEYS));
    YamlNode at = timeouts.orElse(transport);
    Duration call =
        positive(
            at, "call", timeouts.isPresent() ? Transport.TIMEOUTS_CALL : Transport.DEFAULT_CALL);
    Duration connect =
        atMostCall(
            at,
            "connect",
            timeouts.isPresent() ? Transport.TIMEOUTS_CONNECT : Transport.DEFAULT_CONNECT,
            call);
    Duration read = timeouts.isPresent() ? atMostCall(at, "read", null, call) : null;
    Duration write = timeouts.isPresent() ? atMostCall(at, "write", null, call) : null;

    Duration poolTtl = transport.optionalDuration("pool_ttl", Transport.DEFAULT_POOL_TTL);
    int poolSize = transport.optionalInt("pool_size", Transport.DEFAULT_POOL_SIZE);
    if (poolSize <= 0) {
      throw transport.error("pool_size", "got " + poolSize, "a positive number of connections");
    }
    long payloadMaxBytes =
        transport.optionalLong("payload_max_bytes", Transport.DEFAULT_PAYLOAD_MAX_BYTES);
    if (payloadMaxBytes <= 0) {
      throw transport.error(
          "payload_max_bytes", "got " + payloadMaxBytes, "a positive number of bytes");
    }
    int pipelining = transport.optionalInt("pipelining", 1);
    if (pipelining < 1) {
      throw transport.error(
          "pipelining",
          "got " + pipelining,
          "how many requests one connection may carry at once: 1 (the default) or more");
    }
    HttpProtocol protocol = protocol(transport);
    if (protocol == HttpProtocol.HTTP2 && pipelining > 1) {
      throw transport.error(
          "pipelining",
          "is " + pipelining + " with protocol: http2",
          "pipelining only with protocol: http1; HTTP/2 multiplexes calls on its own");
    }
    String trustCaCerts = transport.optionalString("trust_cacerts").orElse(null);
    String clientCert = transport.optionalString("client_cert").orElse(null);
    String clientKey = transport.optionalString("client_key").orElse(null);
    String clientKeyPassword = transport.optionalString("client_key_password").orElse(null);
    if (clientCert != null && clientKey == null) {
      throw transport.error("client_key", "missing while client_cert is set", BOTH);
    }
    if (clientKey != null && clientCert == null) {
      throw transport.error("client_cert", "missing while client_key is set", BOTH);
    }
    if (clientKeyPassword != null && clientKey == null) {
      throw transport.error(
          "client_key_password",
          "is set but client_key is not",
          "client_key_password only together with client_cert and client_key");
    }
    return build(
        transport,
        () ->
            new Transport(
                Transport.ASYNC,
                call,
                connect,
                read,
                write,
                poolTtl,
                poolSize,
                payloadMaxBytes,
                trustCaCerts,
                clientCert,
                clientKey,
                clientKeyPassword,
                pipelining,
                protocol));
  }

  private static HttpProtocol protocol(YamlNode transport) {
    Optional<String> given = transport.optionalString("protocol");
    if (given.isEmpty()) {
      return HttpProtocol.HTTP1;
    }
    return HttpProtocol.parse(given.get())
        .orElseThrow(
            () ->
                transport.error(
                    "protocol",
                    "unknown protocol '"
                        + given.get()
                        + "'"
                        + Spelling.hint(given.get(), HttpProtocol.yamlNames()),
                    "http1 (the default: HTTP/1.1) or http2 (HTTP/2: h2 over https, h2c over"
                        + " http)"));
  }

  /**
   * Reads {@code key} of {@code at}, which must be positive. {@code at} is null when there is no
   * object to read from; the default is then used, and defaults are always valid.
   */
  private static Duration positive(YamlNode at, String key, Duration dflt) {
    Duration value = at == null ? dflt : at.optionalDuration(key, dflt);
    if (value != null && (value.isZero() || value.isNegative())) {
      throw at.error(
          key, "got " + Durations.format(value), "a positive duration such as 30s, 500ms, 2 min");
    }
    return value;
  }

  private static Duration atMostCall(YamlNode at, String key, Duration dflt, Duration call) {
    Duration value = positive(at, key, dflt);
    if (value != null && value.compareTo(call) > 0) {
      boolean given = at != null && at.has(key);
      String problem =
          (given ? "is " : "defaults to ")
              + Durations.format(value)
              + ", longer than call ("
              + Durations.format(call)
              + ")";
      String expected = key + " at most call" + (given ? "" : "; set " + key + " explicitly");
      throw at.error(key, problem, expected);
    }
    return value;
  }

  private static Transport build(YamlNode at, Supplier<Transport> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw at.error(null, e.getMessage(), null);
    }
  }
}
