package io.keyflow.testkit.junit;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.ToFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.apache.flink.statefun.sdk.java.slice.Slices;

/**
 * The functions under test as the job reaches them: an HTTP server on a free port of 127.0.0.1 that
 * answers with an SDK handler in this JVM, or forwards to functions served elsewhere. On the way it
 * notes the delayed messages functions schedule and deliver ({@link DelayLedger}) and, with a
 * speed-up, shortens their delays.
 */
final class ObservedFunctions implements AutoCloseable {
  /** Produces the response bytes for request bytes and the request's path. */
  private interface Backend {
    byte[] answer(byte[] request, String path) throws Exception;
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Backend backend;
  private final DelayLedger delays = new DelayLedger();
  private final long speedup;

  private ObservedFunctions(Backend backend, long speedup) throws IOException {
    this.backend = backend;
    this.speedup = speedup;
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "keyflow-testkit-functions");
              t.setDaemon(true);
              return t;
            });
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static ObservedFunctions serving(RequestReplyHandler handler, long speedup) throws IOException {
    return new ObservedFunctions(
        (request, path) ->
            handler.handle(Slices.wrap(request)).get(5, TimeUnit.MINUTES).toByteArray(),
        speedup);
  }

  static ObservedFunctions forwardingTo(String baseUrl, long speedup) throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return new ObservedFunctions(
        (request, path) -> {
          HttpResponse<byte[]> response =
              client.send(
                  HttpRequest.newBuilder(URI.create(base + path))
                      .header("Content-Type", "application/octet-stream")
                      .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
          if (response.statusCode() != 200) {
            throw new IOException(
                base
                    + path
                    + " answered HTTP "
                    + response.statusCode()
                    + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
          }
          return response.body();
        },
        speedup);
  }

  /** For example {@code http://127.0.0.1:41234}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  DelayLedger delays() {
    return delays;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      byte[] response;
      int status = 200;
      try {
        ToFunction request = ToFunction.parseFrom(body);
        delays.delivered(request.getInvocation());
        response = observe(request, backend.answer(body, exchange.getRequestURI().getPath()));
      } catch (Exception e) {
        status = 500;
        response = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
      }
      exchange
          .getResponseHeaders()
          .set(
              "Content-Type",
              status == 200 ? "application/octet-stream" : "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(status, response.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response);
      }
    }
  }

  /** Notes the delayed messages of a response and applies the speed-up to their delays. */
  private byte[] observe(ToFunction request, byte[] response)
      throws InvalidProtocolBufferException {
    FromFunction decoded = FromFunction.parseFrom(response);
    if (!decoded.hasInvocationResult()
        || decoded.getInvocationResult().getDelayedInvocationsCount() == 0) {
      return response;
    }
    FromFunction.Builder changed = decoded.toBuilder();
    for (FromFunction.DelayedInvocation.Builder delayed :
        changed.getInvocationResultBuilder().getDelayedInvocationsBuilderList()) {
      delays.scheduled(request.getInvocation().getTarget(), delayed.build());
      if (speedup > 1 && !delayed.getIsCancellationRequest()) {
        delayed.setDelayInMs((delayed.getDelayInMs() + speedup - 1) / speedup);
      }
    }
    return speedup > 1 ? changed.build().toByteArray() : response;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
