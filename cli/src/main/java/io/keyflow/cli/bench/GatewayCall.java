package io.keyflow.cli.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One measured call through the gateway to {@code bench/counter}: the request, and the check that
 * its reply is the counter's line for the call's own id and message.
 */
final class GatewayCall {
  private GatewayCall() {}

  /** The call of message {@code body} to {@code bench/counter/<id>}. */
  static HttpRequest request(String baseUrl, String id, String body, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(baseUrl + "/v1/functions/bench/counter/" + id))
        .header("X-Keyflow-Type", "bench.types/raw")
        .timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** What is wrong with the reply to message {@code body} sent to {@code id}; null if nothing. */
  static String problem(HttpResponse<String> response, String id, String body) {
    if (response.statusCode() == 200
        && response.body().startsWith(id + "=")
        && response.body().endsWith("|" + body)) {
      return null;
    }
    return "call " + body + " to " + id + " got " + response.statusCode() + ": " + response.body();
  }
}
