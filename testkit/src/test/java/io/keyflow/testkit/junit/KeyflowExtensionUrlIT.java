package io.keyflow.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.keyflow.testkit.unit.CounterFunctionsAccess;
import io.keyflow.testkit.unit.KafkaRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.apache.flink.statefun.sdk.java.slice.Slices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The extension with functions it does not serve itself: {@code @TestFunctions} is the base URL of
 * a server outside the kit (here an HTTP server of this JVM, as a Node.js process or a container
 * would be), which the kit reaches through its forwarding server with the module's paths kept.
 */
@KeyflowTest(module = "classpath:counter-module.yaml", delaySpeedup = 100)
class KeyflowExtensionUrlIT {
  private static final ElsewhereServer ELSEWHERE = ElsewhereServer.start();

  @TestFunctions static final String FUNCTIONS = ELSEWHERE.baseUrl();

  @AfterAll
  static void stopServer() {
    ELSEWHERE.close();
  }

  @Test
  void aRecordReachesFunctionsServedAtTheUrlUnderTheModulesPath(KeyflowEnvironment keyflow) {
    keyflow.send("commands", "remote", "inc");
    keyflow.send("commands", "remote", "inc");

    KafkaRecord count =
        keyflow
            .topic("counts")
            .await("count 2 of remote", r -> r.key().equals("remote") && r.utf8Value().equals("2"));

    assertThat(count.utf8Value()).isEqualTo("2");
    assertThat(keyflow.functionsUrl()).isNotEqualTo(FUNCTIONS);
    assertThat(ELSEWHERE.paths()).isNotEmpty().allMatch(p -> p.equals("/statefun/counter"));
  }

  @Test
  void delayedMessagesOfFunctionsAtTheUrlAreSpedUpAndAwaited(KeyflowEnvironment keyflow) {
    keyflow.send("commands", "remote-later", "remind");
    keyflow
        .topic("reminders")
        .await("the reminder of remote-later", r -> r.key().equals("remote-later"));

    keyflow.advancePastDelayedMessages();

    assertThat(keyflow.pendingDelayedMessages()).isZero();
    assertThat(
            keyflow
                .topic("counts")
                .await("count of remote-later", r -> r.key().equals("remote-later"))
                .utf8Value())
        .isEqualTo("1");
  }

  /** The counter functions on a port of their own, noting each request's path. */
  private static final class ElsewhereServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final RequestReplyHandler handler =
        CounterFunctionsAccess.functions().requestReplyHandler();
    private final List<String> paths = new CopyOnWriteArrayList<>();

    private ElsewhereServer() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(executor);
      server.createContext("/", this::handle);
      server.start();
    }

    static ElsewhereServer start() {
      try {
        return new ElsewhereServer();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the functions' server", e);
      }
    }

    String baseUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> paths() {
      return paths;
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        paths.add(exchange.getRequestURI().getPath());
        byte[] request = exchange.getRequestBody().readAllBytes();
        byte[] response;
        try {
          response = handler.handle(Slices.wrap(request)).get(1, TimeUnit.MINUTES).toByteArray();
        } catch (Exception e) {
          exchange.sendResponseHeaders(500, -1);
          return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, response.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response);
        }
      }
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
