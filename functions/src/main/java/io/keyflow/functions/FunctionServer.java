package io.keyflow.functions;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.apache.flink.statefun.sdk.java.slice.Slice;
import org.apache.flink.statefun.sdk.java.slice.Slices;

/**
 * Serves StateFun SDK functions over HTTP with Undertow. Every path reaches the same handler: the
 * request names its target function, so one server can sit behind any {@code urlPathTemplate}.
 *
 * <pre>{@code
 * StatefulFunctions functions = new StatefulFunctions().withStatefulFunction(spec);
 * try (FunctionServer server = FunctionServer.start(functions, "127.0.0.1", 8000)) {
 *   ...
 * }
 * }</pre>
 */
public final class FunctionServer implements AutoCloseable {
  private static final String OCTET_STREAM = "application/octet-stream";

  private final Undertow undertow;
  private final int port;

  private FunctionServer(Undertow undertow) {
    this.undertow = undertow;
    this.port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  /**
   * Starts serving {@code functions}.
   *
   * @param port the port, or 0 for any free one (see {@link #port()})
   */
  public static FunctionServer start(StatefulFunctions functions, String host, int port) {
    return start(functions.requestReplyHandler(), host, port);
  }

  /** Starts serving a request-reply handler, for example an SDK handler wrapped for metrics. */
  public static FunctionServer start(RequestReplyHandler handler, String host, int port) {
    Undertow undertow =
        Undertow.builder().addHttpListener(port, host).setHandler(new SdkHandler(handler)).build();
    undertow.start();
    return new FunctionServer(undertow);
  }

  /**
   * The HTTP handler that serves {@code handler}, for embedding in an Undertow server of one's own
   * (HTTPS, authentication, other routes).
   */
  public static HttpHandler httpHandler(RequestReplyHandler handler) {
    return new SdkHandler(handler);
  }

  public int port() {
    return port;
  }

  /** The base URL, for example {@code http://127.0.0.1:41234}. */
  public String baseUrl() {
    InetSocketAddress address = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    return "http://" + address.getHostString() + ":" + port;
  }

  @Override
  public void close() {
    undertow.stop();
  }

  private record SdkHandler(RequestReplyHandler handler) implements HttpHandler {
    @Override
    public void handleRequest(HttpServerExchange exchange) {
      if (!exchange.getRequestMethod().equals(Methods.POST)) {
        exchange.setStatusCode(StatusCodes.METHOD_NOT_ALLOWED);
        exchange.getResponseSender().send("StateFun functions accept POST only");
        return;
      }
      exchange.getRequestReceiver().receiveFullBytes(this::onBody);
    }

    private void onBody(HttpServerExchange exchange, byte[] body) {
      exchange.dispatch();
      CompletableFuture<Slice> response;
      try {
        response = handler.handle(Slices.wrap(body));
      } catch (RuntimeException e) {
        response = CompletableFuture.failedFuture(e);
      }
      response.whenComplete((slice, error) -> respond(exchange, slice, error));
    }

    private static void respond(HttpServerExchange exchange, Slice slice, Throwable error) {
      if (error != null) {
        exchange.setStatusCode(StatusCodes.INTERNAL_SERVER_ERROR);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        String message = String.valueOf(error.getMessage());
        exchange.getResponseSender().send(message, StandardCharsets.UTF_8);
        return;
      }
      exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, OCTET_STREAM);
      exchange.getResponseSender().send(ByteBuffer.wrap(slice.toByteArray()));
    }
  }
}
