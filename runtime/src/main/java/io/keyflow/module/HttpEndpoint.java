package io.keyflow.module;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where and how to call a group of remote functions: the functions it serves, the URL template
 * ({@code {function.name}} is replaced by the function type's name; no other placeholder exists),
 * the per-address batch limit, the {@link Transport}, the {@link FailurePolicy}, and static headers
 * sent with every request (an authentication token, for example).
 *
 * @param maxNumBatchRequests the most messages one request to an address carries; more wait in the
 *     address's backlog for the next request; zero or negative means unlimited (see {@link
 *     #batchLimited()})
 * @param maxConcurrentRequests the most requests a dispatcher subtask has on the wire to this
 *     endpoint at once; addresses over the cap wait with their messages in their backlogs while
 *     input and other endpoints carry on; zero means no cap (see {@link #concurrencyCapped()})
 */
public record HttpEndpoint(
    FunctionPattern functions,
    String urlPathTemplate,
    int maxNumBatchRequests,
    int maxConcurrentRequests,
    Transport transport,
    FailurePolicy failures,
    Map<String, String> headers)
    implements Component {

  public static final int DEFAULT_MAX_NUM_BATCH_REQUESTS = 1000;

  /** The only placeholder a URL template may contain. */
  public static final String FUNCTION_NAME = "{function.name}";

  static final String EXPECTED_URL =
      "an absolute http or https URL such as http://functions:8000/statefun/" + FUNCTION_NAME;

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^}]*}");

  public HttpEndpoint {
    Objects.requireNonNull(functions, "functions");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(failures, "failures");
    headers = Map.copyOf(headers);
    if (maxConcurrentRequests < 0) {
      throw new IllegalArgumentException(
          "maxConcurrentRequests must be 0 (no cap) or positive, not " + maxConcurrentRequests);
    }
    TemplateProblem problem = checkTemplate(urlPathTemplate);
    if (problem != null) {
      throw new IllegalArgumentException(problem.problem() + "; expected " + problem.expected());
    }
  }

  /** An endpoint with the default failure policy and the transport's default concurrency cap. */
  public HttpEndpoint(
      FunctionPattern functions,
      String urlPathTemplate,
      int maxNumBatchRequests,
      Transport transport) {
    this(
        functions,
        urlPathTemplate,
        maxNumBatchRequests,
        defaultConcurrencyCap(transport),
        transport,
        FailurePolicy.DEFAULTS,
        Map.of());
  }

  /** An endpoint with the default batch limit and transport. */
  public static HttpEndpoint of(FunctionPattern functions, String urlPathTemplate) {
    return new HttpEndpoint(
        functions, urlPathTemplate, DEFAULT_MAX_NUM_BATCH_REQUESTS, Transport.defaults());
  }

  /**
   * The cap on calls in flight when an endpoint names none: what the transport's connections carry
   * at once over HTTP/1.1 ({@code pool_size} times {@code pipelining}); none (0) over HTTP/2, whose
   * streams multiplex on few connections.
   *
   * <p>Why a cap by default: a call that finds every connection busy waits in the pool with its
   * batch already closed, while the messages that arrive for its address meanwhile wait for the
   * next call. Waiting in the dispatcher instead, off the wire, lets them join the call when it
   * goes out: under load, batches grow and each message costs fewer requests (about twice to four
   * times the messages a request, and a third less CPU a record, in the backlog benchmarks of
   * docs/benchmarks.md), while no call goes out later than the connections would have let it.
   */
  public static int defaultConcurrencyCap(Transport transport) {
    if (transport.protocol() == HttpProtocol.HTTP2) {
      return 0;
    }
    return Math.multiplyExact(transport.poolSize(), transport.pipelining());
  }

  /** The URL to POST to for {@code functionType}. */
  public URI urlFor(TypeName functionType) {
    String url = urlPathTemplate.replace(FUNCTION_NAME, functionType.name());
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "function type "
              + functionType
              + " gives the invalid URL '"
              + url
              + "' from template '"
              + urlPathTemplate
              + "': "
              + e.getReason(),
          e);
    }
  }

  /** Whether {@link #maxNumBatchRequests} applies. */
  public boolean batchLimited() {
    return maxNumBatchRequests > 0;
  }

  /** Whether {@link #maxConcurrentRequests} applies. */
  public boolean concurrencyCapped() {
    return maxConcurrentRequests > 0;
  }

  record TemplateProblem(String problem, String expected) {}

  /** Returns why {@code template} is unusable, or null when it is fine. */
  static TemplateProblem checkTemplate(String template) {
    if (template == null || template.isBlank()) {
      return new TemplateProblem("URL template is empty", EXPECTED_URL);
    }
    Matcher placeholder = PLACEHOLDER.matcher(template);
    while (placeholder.find()) {
      if (!placeholder.group().equals(FUNCTION_NAME)) {
        return new TemplateProblem(
            "unknown placeholder "
                + placeholder.group()
                + " in '"
                + template
                + "'; only "
                + FUNCTION_NAME
                + " exists",
            FUNCTION_NAME + ", which is replaced by the function type's name");
      }
    }
    // A sample name stands in for the placeholder so that templates putting it in the host
    // (http://{function.name}.fns.svc/) are checked like any other URL.
    String sample = template.replace(FUNCTION_NAME, "sample");
    URI uri;
    try {
      uri = new URI(sample);
    } catch (URISyntaxException e) {
      return new TemplateProblem(
          "'" + template + "' is not a valid URL (" + e.getReason() + ")", EXPECTED_URL);
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      return new TemplateProblem(
          "'"
              + template
              + "' "
              + (scheme == null ? "has no scheme" : "has scheme " + scheme)
              + ", which is not supported",
          EXPECTED_URL);
    }
    if (uri.getHost() == null) {
      String authority = uri.getRawAuthority();
      return new TemplateProblem(
          "'"
              + template
              + "' "
              + (authority == null
                  ? "has no host"
                  : "has '" + authority + "', which is not a valid host[:port]"),
          EXPECTED_URL);
    }
    return null;
  }
}
