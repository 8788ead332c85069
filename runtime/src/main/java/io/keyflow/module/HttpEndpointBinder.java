package io.keyflow.module;

import java.util.Map;

/**
 * Reads kind {@code io.statefun.endpoints.v2/http}: remote functions served over HTTP.
 *
 * <pre>{@code
 * kind: io.statefun.endpoints.v2/http
 * spec:
 *   functions: shop/*                  # one type (shop/cart) or a whole namespace (shop/*)
 *   urlPathTemplate: https://fns.internal:8443/statefun/{function.name}
 *   maxNumBatchRequests: 500           # default 1000; 0 or less: unlimited
 *   maxConcurrentRequests: 64          # Keyflow; default pool_size x pipelining (HTTP/1.1), 0: no cap
 *   transport:                         # optional
 *     type: io.statefun.transports.v1/async   # default; or io.statefun.transports.v1/okhttp
 *     call: 90s                        # default 2 min: budget per request, retries included
 *     connect: 5s                      # default 20 s
 *     pool_ttl: 30s                    # default 15 s; 0 disables
 *     pool_size: 256                   # connections per host and port in a JVM; default 64
 *     payload_max_bytes: 8388608       # default 32 MiB
 *     trust_cacerts: classpath:ca.pem
 *     client_cert: /etc/keyflow/client.pem   # with client_key, or neither
 *     client_key: /etc/keyflow/client.key
 *     client_key_password: /etc/keyflow/client.key.password   # a file holding it
 *   failures:                          # Keyflow: see FailurePolicySpec
 *     policy: dead-letter
 *   headers:                           # Keyflow: sent with every request
 *     Authorization: Bearer s3cr3t
 * }</pre>
 *
 * <p>A {@code timeouts} object ({@code call}, {@code connect}, {@code read}, {@code write}) may
 * replace the top-level {@code call}/{@code connect}; it then defaults to call 1 min and connect 10
 * s. The okhttp transport takes only {@code type} and {@code timeouts} (defaults: call 1 min,
 * connect, read and write 10 s, each at most call). Unknown keys are errors.
 */
public final class HttpEndpointBinder implements ComponentBinder {

  public static final String KIND = "io.statefun.endpoints.v2/http";

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Component bind(YamlNode spec) {
    spec.allowOnlyKeys(
        "functions",
        "urlPathTemplate",
        "maxNumBatchRequests",
        "maxConcurrentRequests",
        "transport",
        "failures",
        "headers");
    Transport transport =
        spec.optionalObject("transport").map(TransportSpec::read).orElseGet(Transport::defaults);
    return new HttpEndpoint(
        functions(spec),
        urlPathTemplate(spec),
        spec.optionalInt("maxNumBatchRequests", HttpEndpoint.DEFAULT_MAX_NUM_BATCH_REQUESTS),
        maxConcurrentRequests(spec, transport),
        transport,
        spec.optionalObject("failures").map(FailurePolicySpec::read).orElse(FailurePolicy.DEFAULTS),
        spec.optionalObject("headers").map(HttpEndpointBinder::headers).orElse(Map.of()));
  }

  /**
   * The per-subtask cap on calls in flight to the endpoint: 0 (none) or positive; when the field is
   * absent, {@link HttpEndpoint#defaultConcurrencyCap(Transport)}.
   */
  static int maxConcurrentRequests(YamlNode spec, Transport transport) {
    int cap =
        spec.optionalInt("maxConcurrentRequests", HttpEndpoint.defaultConcurrencyCap(transport));
    if (cap < 0) {
      throw spec.error(
          "maxConcurrentRequests",
          "got " + cap,
          "a positive number of requests per dispatcher subtask, or 0 for no cap");
    }
    return cap;
  }

  /** Static request headers: HTTP token names; the ones Keyflow or HTTP itself sets are refused. */
  static Map<String, String> headers(YamlNode headers) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String name : headers.keys()) {
      if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw headers.error(name, "is not an HTTP header name", "letters, digits and - _ .");
      }
      if (RESERVED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        throw headers.error(
            name, "is set by Keyflow or by HTTP itself", "another header, such as Authorization");
      }
      out.put(name, headers.requireString(name));
    }
    return out;
  }

  private static final java.util.Set<String> RESERVED_HEADERS =
      java.util.Set.of(
          "content-type",
          "accept",
          "content-length",
          "host",
          "connection",
          "expect",
          "upgrade",
          "transfer-encoding");

  static FunctionPattern functions(YamlNode spec) {
    if (!spec.has("functions")) {
      throw spec.error("functions", "missing", FunctionPattern.EXPECTED);
    }
    try {
      return FunctionPattern.parse(spec.requireString("functions"));
    } catch (IllegalArgumentException e) {
      throw spec.error("functions", e.getMessage(), null);
    }
  }

  static String urlPathTemplate(YamlNode spec) {
    if (!spec.has("urlPathTemplate")) {
      throw spec.error("urlPathTemplate", "missing", HttpEndpoint.EXPECTED_URL);
    }
    String template = spec.requireString("urlPathTemplate");
    HttpEndpoint.TemplateProblem problem = HttpEndpoint.checkTemplate(template);
    if (problem != null) {
      throw spec.error("urlPathTemplate", problem.problem(), problem.expected());
    }
    return template;
  }
}
