package io.keyflow.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.keyflow.module.FunctionPattern;
import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.Transport;
import io.keyflow.protocol.internal.TraceContext;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.ToFunction;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RemoteFunctionClientTest {
  private static final byte[] EMPTY_RESULT =
      FromFunction.newBuilder()
          .setInvocationResult(FromFunction.InvocationResponse.getDefaultInstance())
          .build()
          .toByteArray();

  private HttpServer server;
  private final AtomicInteger calls = new AtomicInteger();
  private volatile Responder responder;
  private final List<byte[]> bodies = new CopyOnWriteArrayList<>();

  interface Responder {
    void respond(com.sun.net.httpserver.HttpExchange exchange, int call) throws Exception;
  }

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            bodies.add(exchange.getRequestBody().readAllBytes());
            responder.respond(exchange, calls.incrementAndGet());
          } catch (Exception e) {
            throw new java.io.IOException(e);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void reply(
      com.sun.net.httpserver.HttpExchange exchange, int status, String type, byte[] body)
      throws Exception {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    exchange.getResponseBody().write(body);
  }

  private RemoteFunctionClient client(Duration call) {
    return client(call, Transport.defaults().payloadMaxBytes());
  }

  private RemoteFunctionClient client(Duration call, long payloadMaxBytes) {
    Transport t = Transport.defaults();
    Transport transport =
        new Transport(
            t.type(),
            call,
            Duration.ofMillis(Math.min(call.toMillis(), 1000)),
            null,
            null,
            t.poolTtl(),
            t.poolSize(),
            payloadMaxBytes,
            null,
            null,
            null,
            null,
            1);
    return new RemoteFunctionClient(
        new HttpEndpoint(
            FunctionPattern.parse("shop/*"), url() + "/{function.name}", 1000, transport));
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private FromFunction invoke(RemoteFunctionClient client) throws Exception {
    return client
        .invoke(URI.create(url() + "/cart"), ToFunction.getDefaultInstance())
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void requestsCarryTheProtocolHeadersTheirOwnTraceContextAndTheWholeBody() throws Exception {
    List<Headers> seen = new CopyOnWriteArrayList<>();
    responder =
        (exchange, call) -> {
          seen.add(exchange.getRequestHeaders());
          reply(exchange, 200, "application/octet-stream", EMPTY_RESULT);
        };
    ToFunction request =
        ToFunction.newBuilder()
            .setInvocation(
                ToFunction.InvocationBatchRequest.newBuilder()
                    .setTarget(
                        Address.newBuilder()
                            .setNamespace("shop")
                            .setType("cart")
                            .setId("x".repeat(3000))))
            .build();
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    TraceContext trace = TraceContext.newBuilder().setTraceparent(traceparent).build();
    URI cart = URI.create(url() + "/cart");

    try (RemoteFunctionClient client = client(Duration.ofSeconds(10))) {
      client.invoke(cart, request, trace).get(30, TimeUnit.SECONDS);
      client.invoke(cart, request).get(30, TimeUnit.SECONDS);
      client.invoke(cart, request, trace).get(30, TimeUnit.SECONDS);
    }

    assertThat(seen).hasSize(3);
    for (Headers headers : seen) {
      assertThat(headers.getFirst("Content-Type")).isEqualTo("application/octet-stream");
      assertThat(headers.getFirst("Accept")).isEqualTo("application/octet-stream");
      assertThat(headers.getFirst("Host")).isEqualTo("127.0.0.1:" + server.getAddress().getPort());
      assertThat(headers.get("Content-Length"))
          .containsExactly(String.valueOf(request.getSerializedSize()));
    }
    assertThat(seen.get(0).getFirst("traceparent")).isEqualTo(traceparent);
    assertThat(seen.get(1).containsKey("traceparent")).isFalse();
    assertThat(seen.get(2).getFirst("traceparent")).isEqualTo(traceparent);
    assertThat(bodies).hasSize(3).allSatisfy(b -> assertThat(b).isEqualTo(request.toByteArray()));
  }

  @Test
  void serverErrorsAreRetriedUntilTheFunctionAnswers() throws Exception {
    responder =
        (exchange, call) -> {
          if (call <= 3) {
            reply(exchange, 503, "text/plain", "busy".getBytes(StandardCharsets.UTF_8));
          } else {
            reply(exchange, 200, "application/octet-stream", EMPTY_RESULT);
          }
        };

    FromFunction response = invoke(client(Duration.ofSeconds(10)));

    assertThat(response.hasInvocationResult()).isTrue();
    assertThat(calls.get()).isEqualTo(4);
  }

  @Test
  void clientErrorIsNotRetriedAndNamesTheStatus() {
    responder =
        (exchange, call) ->
            reply(exchange, 400, "text/plain", "bad request body".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> invoke(client(Duration.ofSeconds(10))))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(RemoteInvocationException.class)
        .hasMessageContaining("HTTP 400")
        .hasMessageContaining("bad request body")
        .hasMessageContaining("not retried");
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void callBudgetBoundsRetriesAndTheErrorCountsAttempts() {
    responder = (exchange, call) -> reply(exchange, 500, "text/plain", new byte[0]);

    long start = System.nanoTime();
    assertThatThrownBy(() -> invoke(client(Duration.ofMillis(500))))
        .cause()
        .isInstanceOf(RemoteInvocationException.class)
        .hasMessageContaining("attempts")
        .hasMessageContaining("transport.call budget")
        .hasMessageContaining("HTTP 500");
    assertThat(calls.get()).isGreaterThan(2);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void wrongContentTypeIsRefusedWithAHint() {
    responder =
        (exchange, call) ->
            reply(exchange, 200, "text/html", "<html/>".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> invoke(client(Duration.ofSeconds(5))))
        .cause()
        .hasMessageContaining("text/html")
        .hasMessageContaining("application/octet-stream");
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void undecodableBodyIsRefused() {
    responder =
        (exchange, call) ->
            reply(exchange, 200, "application/octet-stream", new byte[] {(byte) 0xFF, 0x01});

    assertThatThrownBy(() -> invoke(client(Duration.ofSeconds(5))))
        .cause()
        .hasMessageContaining("not a StateFun FromFunction");
  }

  @Test
  void aResponseOverPayloadMaxBytesIsRefusedWithoutRetrying() {
    AtomicInteger calls = new AtomicInteger();
    responder =
        (exchange, call) -> {
          calls.incrementAndGet();
          reply(exchange, 200, "application/octet-stream", new byte[2048]);
        };

    assertThatThrownBy(() -> invoke(client(Duration.ofSeconds(5), 1024)))
        .cause()
        .isInstanceOfSatisfying(
            RemoteInvocationException.class,
            e -> {
              assertThat(e.getMessage()).contains("2048").contains("1024");
              assertThat(e.transientFailure()).isFalse();
              assertThat(e.answered()).isTrue();
            });
    assertThat(calls.get()).isEqualTo(1);
  }

  @Test
  void emptyBodyIsASuccessWithoutEffects() throws Exception {
    responder = (exchange, call) -> reply(exchange, 200, "application/octet-stream", new byte[0]);

    FromFunction response = invoke(client(Duration.ofSeconds(5)));

    assertThat(response.getResponseCase()).isEqualTo(FromFunction.ResponseCase.RESPONSE_NOT_SET);
  }

  @Test
  void refusedConnectionIsRetriedWithinTheBudget() throws Exception {
    int port = server.getAddress().getPort();
    server.stop(0);
    RemoteFunctionClient client = client(Duration.ofMillis(400));

    assertThatThrownBy(
            () ->
                client
                    .invoke(
                        URI.create("http://127.0.0.1:" + port + "/cart"),
                        ToFunction.getDefaultInstance())
                    .get(30, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(RemoteInvocationException.class)
        .hasMessageContaining("ConnectException");
  }

  @Test
  void closingTheClientEndsACallThatIsRetryingInsteadOfRetryingUntilTheBudgetRunsOut()
      throws Exception {
    int port = server.getAddress().getPort();
    server.stop(0);
    RemoteFunctionClient client = client(Duration.ofMinutes(10));
    java.util.concurrent.CompletableFuture<FromFunction> call =
        client.invoke(
            URI.create("http://127.0.0.1:" + port + "/cart"), ToFunction.getDefaultInstance());

    client.close();

    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(RemoteInvocationException.class);
  }

  @Test
  void aMalformedResponseIsATransientFailureRetriedOnANewConnection() throws Exception {
    java.util.concurrent.atomic.AtomicInteger connections = new AtomicInteger();
    try (java.net.ServerSocket raw = new java.net.ServerSocket(0)) {
      Thread serving =
          new Thread(
              () -> {
                while (!raw.isClosed()) {
                  try (java.net.Socket s = raw.accept()) {
                    int connection = connections.getAndIncrement();
                    java.io.InputStream in = s.getInputStream();
                    String head = "";
                    while (!head.endsWith("\r\n\r\n")) {
                      head += (char) in.read();
                    }
                    int length =
                        Integer.parseInt(
                            head.replaceAll("(?s).*[Cc]ontent-[Ll]ength: (\\d+).*", "$1"));
                    in.readNBytes(length);
                    String answer =
                        connection == 0
                            ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n"
                            : "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                                + "Content-Length: 0\r\nConnection: close\r\n\r\n";
                    s.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                  } catch (Exception e) {
                    // The test is over.
                  }
                }
              });
      serving.setDaemon(true);
      serving.start();
      RemoteFunctionClient client = client(Duration.ofSeconds(10));

      FromFunction response =
          client
              .invoke(
                  URI.create("http://127.0.0.1:" + raw.getLocalPort() + "/cart"),
                  ToFunction.getDefaultInstance())
              .get(30, TimeUnit.SECONDS);
      client.close();

      assertThat(response.getResponseCase()).isEqualTo(FromFunction.ResponseCase.RESPONSE_NOT_SET);
      assertThat(connections.get()).isEqualTo(2);
    }
  }

  @Test
  void contentTypeParametersAreTolerated() {
    assertThat(RemoteFunctionClient.isOctetStream("application/octet-stream")).isTrue();
    assertThat(RemoteFunctionClient.isOctetStream("Application/Octet-Stream; charset=binary"))
        .isTrue();
    assertThat(RemoteFunctionClient.isOctetStream("application/json")).isFalse();
    assertThat(RemoteFunctionClient.isOctetStream("")).isFalse();
  }
}
