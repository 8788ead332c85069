package io.keyflow.cli.address;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Talks to a gateway's admin routes ({@code /v1/admin/addresses/...}) for one address. */
final class AdminClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The gateway's answer: its status and JSON body. */
  record Answer(int status, String body) {
    /** The {@code error} of an answer that is not 200, or the body itself. */
    String error() {
      try {
        JsonNode node = JSON.readTree(body);
        if (node != null && node.hasNonNull("error")) {
          return node.get("error").asText();
        }
      } catch (IOException e) {
        // Not JSON: show it as it is.
      }
      return body;
    }
  }

  private final AdminOptions options;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  AdminClient(AdminOptions options) {
    this.options = options;
  }

  /**
   * Inspects ({@code action} null) or acts on the address {@code namespace/type/id}.
   *
   * @param query extra query parameters, already encoded, or empty
   */
  Answer send(Address address, String action, String query) {
    String token = options.token();
    StringBuilder url =
        new StringBuilder(strip(options.gateway))
            .append("/v1/admin/addresses/")
            .append(encode(address.namespace()))
            .append('/')
            .append(encode(address.type()))
            .append('/')
            .append(encode(address.id()));
    if (action != null) {
      url.append('/').append(action);
    }
    StringBuilder parameters = new StringBuilder(query);
    if (options.wait != null) {
      parameters
          .append(parameters.length() == 0 ? "" : "&")
          .append("wait=")
          .append(encode(options.wait));
    }
    if (parameters.length() > 0) {
      url.append('?').append(parameters);
    }
    URI uri;
    try {
      uri = URI.create(url.toString());
    } catch (IllegalArgumentException e) {
      throw new AdminException("--gateway " + options.gateway + " is not a URL: " + e.getMessage());
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofMinutes(6))
            .header("Authorization", "Bearer " + token)
            .header("X-Keyflow-Requested-By", options.requestedBy());
    request = action == null ? request.GET() : request.POST(HttpRequest.BodyPublishers.noBody());
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Answer(response.statusCode(), response.body());
    } catch (ConnectException e) {
      throw new AdminException(
          "cannot reach the gateway at "
              + options.gateway
              + " ("
              + e
              + "); is `keyflow run` or `keyflow gateway` running? --gateway sets its address");
    } catch (IOException e) {
      throw new AdminException("the request to " + uri + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminException("interrupted while waiting for " + uri);
    }
  }

  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String strip(String base) {
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }
}
