package io.keyflow.testkit.unit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** POSTs the request to a function's URL, as Keyflow's dispatcher does. */
record HttpTransport(URI url, HttpClient client) implements FunctionTransport {
  HttpTransport(URI url) {
    this(url, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
  }

  @Override
  public byte[] exchange(byte[] toFunction, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(toFunction))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw FunctionCallFailed.timedOut(describe(), timeout);
    } catch (IOException e) {
      throw FunctionCallFailed.failed(describe(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FunctionCallFailed.failed(describe(), e);
    }
    if (response.statusCode() != 200) {
      throw FunctionCallFailed.status(
          describe(), response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
    }
    return response.body();
  }

  @Override
  public String describe() {
    return url.toString();
  }
}
