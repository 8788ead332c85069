package io.keyflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.keyflow.io.gateway.Gateway;
import io.keyflow.io.gateway.GatewaySpec;
import io.keyflow.io.gateway.ListenAddress;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's HTTP edge with its safe defaults, over real HTTP against gateway instances that
 * write to and read from a real Kafka broker; {@link EchoJob} answers in place of the Keyflow job.
 */
@ExtendWith(KafkaBroker.class)
class GatewayDefaultsIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir static Path dir;

  private static String requestTopic;
  private static String replyTopic;
  private static EchoJob job;
  private final List<Gateway> started = new ArrayList<>();

  @BeforeAll
  static void topics() throws Exception {
    String suffix = Long.toString(System.nanoTime());
    requestTopic = "edge-calls-" + suffix;
    replyTopic = "edge-replies-" + suffix;
    KafkaBroker.createTopic(requestTopic, 2);
    KafkaBroker.createTopic(replyTopic, 2);
    job = new EchoJob(requestTopic, replyTopic);
  }

  @AfterAll
  static void stopJob() throws Exception {
    job.close();
  }

  @AfterEach
  void stopGateways() throws Exception {
    for (Gateway gateway : started) {
      gateway.close();
    }
  }

  /** A module with endpoints for gw/* and a gateway exposing gw/echo, plus {@code extra} keys. */
  private static Module module(String extra) {
    return ModuleLoader.parse(
        "module.yaml",
        String.join(
            "\n",
            "kind: io.statefun.endpoints.v2/http",
            "spec:",
            "  functions: gw/*",
            "  urlPathTemplate: http://127.0.0.1:1/{function.name}",
            "---",
            "kind: io.keyflow.gateway.v1/http",
            "spec:",
            "  id: gw/gateway",
            "  address: " + KafkaBroker.bootstrapServers(),
            "  requestTopic: " + requestTopic,
            "  replyTopic: " + replyTopic,
            "  functions: [gw/echo]",
            extra.indent(2)));
  }

  /** Starts the module's gateway on its host and a free port. */
  private Gateway start(Module module) throws Exception {
    GatewaySpec spec = Gateway.declaredIn(module).orElseThrow();
    Gateway gateway =
        Gateway.start(
            spec.listeningOn(new ListenAddress(spec.listenHost(), 0)),
            module,
            Duration.ofSeconds(30));
    started.add(gateway);
    return gateway;
  }

  private static HttpRequest.Builder call(Gateway via, String path, String body) {
    return HttpRequest.newBuilder(URI.create(via.baseUrl() + path))
        .header("X-Keyflow-Type", "gw.types/text")
        .timeout(Duration.ofMinutes(1))
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpRequest get(Gateway via, String path) {
    return HttpRequest.newBuilder(URI.create(via.baseUrl() + path))
        .timeout(Duration.ofMinutes(1))
        .GET()
        .build();
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withoutListenTheGatewayServesThisMachineOnly() throws Exception {
    Module module = module("");
    assertThat(Gateway.declaredIn(module).orElseThrow().listenHost()).isEqualTo("127.0.0.1");
    Gateway gateway = start(module);
    assertThat(gateway.baseUrl()).startsWith("http://127.0.0.1:");
    assertThat(send(call(gateway, "/v1/functions/gw/echo/local", "hi").build()).body())
        .isEqualTo("echo:hi");

    InetAddress other = nonLoopbackAddress();
    assumeThat(other).as("this machine has an address besides loopback").isNotNull();
    try (Socket socket = new Socket()) {
      assertThatThrownBy(() -> socket.connect(new InetSocketAddress(other, gateway.port()), 5_000))
          .as("connecting to %s:%d", other, gateway.port())
          .isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void aTypeTheGatewayDoesNotExposeGets404WithoutNamingOthersWhetherItIsBoundOrNot()
      throws Exception {
    Gateway gateway = start(module(""));

    HttpResponse<String> bound = send(call(gateway, "/v1/functions/gw/hidden/x", "hi").build());
    HttpResponse<String> unbound = send(call(gateway, "/v1/functions/no/such/x", "hi").build());

    assertThat(bound.statusCode()).isEqualTo(404);
    assertThat(unbound.statusCode()).isEqualTo(404);
    assertThat(bound.body())
        .contains("does not expose function type gw/hidden", "functions")
        .doesNotContain("gw/echo", "gw/*");
    assertThat(unbound.body().replace("no/such", "gw/hidden")).isEqualTo(bound.body());
  }

  @Test
  void aClientThatStallsInItsHeadersOrSendsNoRequestIsDisconnected() throws Exception {
    Gateway gateway = start(module("timeouts:\n  headers: 1 s\n  idleConnection: 1 s\n"));

    try (Socket stalled = new Socket("127.0.0.1", gateway.port())) {
      stalled.setSoTimeout(15_000);
      stalled
          .getOutputStream()
          .write(
              "POST /v1/functions/gw/echo/x HTTP/1.1\r\nHost: gw\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      stalled.getOutputStream().flush();
      long start = System.nanoTime();
      assertThat(readUntilClosed(stalled)).doesNotContain("HTTP/1.1 200");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
    try (Socket silent = new Socket("127.0.0.1", gateway.port())) {
      silent.setSoTimeout(15_000);
      long start = System.nanoTime();
      assertThat(readUntilClosed(silent)).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void oversizedOrTooManyHeadersAreRefusedBeforeAnyRoute() throws Exception {
    Gateway gateway = start(module(""));

    String huge = "X-Big: " + "a".repeat(20_000) + "\r\n";
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    for (String headers : List.of(huge, many.toString())) {
      try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
        socket.setSoTimeout(15_000);
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /v1/functions/gw/echo/big HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n"
                    + "X-Keyflow-Type: gw.types/text\r\nContent-Length: 2\r\n"
                    + headers
                    + "\r\nhi")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String answer = readUntilClosed(socket);
        assertThat(answer).doesNotContain("echo:hi").doesNotContain("HTTP/1.1 200");
        if (!answer.isEmpty()) {
          assertThat(answer).startsWith("HTTP/1.1 4");
        }
      } catch (java.net.SocketException reset) {
        // The server may reset the connection while the request is still being written.
      }
    }
    assertThat(send(call(gateway, "/v1/functions/gw/echo/small", "hi").build()).body())
        .isEqualTo("echo:hi");
  }

  @Test
  void waitingFetchesHaveTheirOwnCapAndCannotCrowdOutCalls() throws Exception {
    Gateway gateway = start(module("limits:\n  maxPendingCalls: 2\n  maxWaitingFetches: 2\n"));
    List<CompletableFuture<HttpResponse<String>>> parked = new ArrayList<>();
    for (String id : List.of("cparked1", "cparked2")) {
      parked.add(
          HTTP.sendAsync(
              get(gateway, "/v1/invocations/" + id + "?wait=60s"),
              HttpResponse.BodyHandlers.ofString()));
    }
    awaitStatus(gateway, "\"waitingFetches\":2");

    HttpResponse<String> third = send(get(gateway, "/v1/invocations/cparked3?wait=60s"));
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(third.body()).contains("limits.maxWaitingFetches");

    // Calls still have all their room.
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      calls.add(
          HTTP.sendAsync(
              call(gateway, "/v1/functions/gw/echo/busy", "call " + i).build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> answered = calls.get(i).get(1, TimeUnit.MINUTES);
      assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
      assertThat(answered.body()).isEqualTo("echo:call " + i);
    }

    job.reply("cparked1", "late 1");
    job.reply("cparked2", "late 2");
    assertThat(parked.get(0).get(1, TimeUnit.MINUTES).body()).isEqualTo("late 1");
    assertThat(parked.get(1).get(1, TimeUnit.MINUTES).body()).isEqualTo("late 2");
    awaitStatus(gateway, "\"waitingFetches\":0");
  }

  @Test
  void anIdempotencyKeyReusedWithAnotherRequestIs422AtAnyInstanceAndTheSameRequestReplays()
      throws Exception {
    Module module = module("");
    Gateway first = start(module);
    Gateway second = start(module);
    String key = "pay-" + System.nanoTime();

    HttpResponse<String> original =
        send(
            call(first, "/v1/functions/gw/echo/acct", "pay 10")
                .header("Idempotency-Key", key)
                .build());
    assertThat(original.statusCode()).as(original.body()).isEqualTo(200);
    assertThat(original.body()).isEqualTo("echo:pay 10");

    HttpResponse<String> otherBody =
        send(
            call(second, "/v1/functions/gw/echo/acct", "pay 99")
                .header("Idempotency-Key", key)
                .build());
    assertThat(otherBody.statusCode()).isEqualTo(422);
    assertThat(otherBody.body())
        .contains("Idempotency-Key was first used with another request")
        .doesNotContain("pay 10");

    HttpResponse<String> otherType =
        send(
            call(first, "/v1/functions/gw/echo/acct", "pay 10")
                .setHeader("X-Keyflow-Type", "gw.types/other")
                .header("Idempotency-Key", key)
                .build());
    assertThat(otherType.statusCode()).isEqualTo(422);

    HttpResponse<String> otherBodySent =
        send(
            call(second, "/v1/functions/gw/echo/acct/send", "pay 99")
                .header("Idempotency-Key", key)
                .build());
    assertThat(otherBodySent.statusCode()).isEqualTo(422);

    HttpResponse<String> retried =
        send(
            call(second, "/v1/functions/gw/echo/acct", "pay 10")
                .header("Idempotency-Key", key)
                .build());
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(retried.body()).isEqualTo("echo:pay 10");
    assertThat(retried.headers().firstValue("X-Keyflow-Invocation-Id"))
        .isEqualTo(original.headers().firstValue("X-Keyflow-Invocation-Id"));
  }

  @Test
  void withBearerTokensOnlyCallersWithOneGetThroughAndTheStatusStaysOpen() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "# gateway callers\nsecret-one\n");
    Gateway gateway = start(module("auth:\n  tokensFile: " + tokens + "\n"));

    HttpResponse<String> none = send(call(gateway, "/v1/functions/gw/echo/a", "hi").build());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"keyflow-gateway\"");
    assertThat(none.body()).contains("Authorization: Bearer");

    HttpResponse<String> wrong =
        send(
            call(gateway, "/v1/functions/gw/echo/a", "hi")
                .header("Authorization", "Bearer secret-two")
                .build());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"");

    HttpResponse<String> fetch = send(get(gateway, "/v1/invocations/cany"));
    assertThat(fetch.statusCode()).isEqualTo(401);

    HttpResponse<String> right =
        send(
            call(gateway, "/v1/functions/gw/echo/a", "hi")
                .header("Authorization", "Bearer secret-one")
                .build());
    assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
    assertThat(right.body()).isEqualTo("echo:hi");

    assertThat(send(get(gateway, "/v1/status")).statusCode()).isEqualTo(200);
  }

  @Test
  void withTlsTheGatewayServesHttpsWithItsCertificateAndNoPlainHttp() throws Exception {
    TestCertificates certs = TestCertificates.create(Files.createDirectories(dir.resolve("tls")));
    Gateway gateway =
        start(
            module(
                "tls:\n  cert: "
                    + certs.serverCertPem()
                    + "\n  key: "
                    + certs.serverKeyPem()
                    + "\n"));
    assertThat(gateway.baseUrl()).startsWith("https://127.0.0.1:");
    HttpClient trusting =
        HttpClient.newBuilder()
            .sslContext(certs.trustingContext())
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    HttpResponse<String> answered =
        trusting.send(
            call(gateway, "/v1/functions/gw/echo/tls", "secret").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    assertThat(answered.body()).isEqualTo("echo:secret");

    assertThatThrownBy(
            () ->
                HTTP.send(
                    call(gateway, "/v1/functions/gw/echo/tls", "x").build(),
                    HttpResponse.BodyHandlers.ofString()))
        .as("a client that does not trust the CA")
        .isInstanceOf(SSLHandshakeException.class);
    try (Socket plain = new Socket("127.0.0.1", gateway.port())) {
      plain.setSoTimeout(15_000);
      plain
          .getOutputStream()
          .write("GET /v1/status HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readUntilClosed(plain)).doesNotContain("HTTP/1.1 200");
    }
  }

  @Test
  void aTlsKeyInPkcs1IsRefusedAtStartNamingTheFieldAndTheConversion() throws Exception {
    TestCertificates certs = TestCertificates.create(Files.createDirectories(dir.resolve("pk1")));
    Path pkcs1 =
        Files.writeString(
            dir.resolve("pkcs1.key"),
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
    Module module = module("tls:\n  cert: " + certs.serverCertPem() + "\n  key: " + pkcs1 + "\n");

    assertThatThrownBy(() -> start(module))
        .hasMessageContaining("tls.key " + pkcs1)
        .hasMessageContaining("openssl pkcs8");
  }

  private static void awaitStatus(Gateway gateway, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String body = send(get(gateway, "/v1/status")).body();
    while (!body.contains(expected)) {
      assertThat(System.nanoTime()).as("status shows %s: %s", expected, body).isLessThan(deadline);
      Thread.sleep(20);
      body = send(get(gateway, "/v1/status")).body();
    }
  }

  /** What the server sends until it closes the connection (bounded by the socket's timeout). */
  private static String readUntilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder out = new StringBuilder();
    byte[] buffer = new byte[4096];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (java.net.SocketException reset) {
      // A reset is a close too.
    }
    return out.toString();
  }

  private static InetAddress nonLoopbackAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          return address;
        }
      }
    }
    return null;
  }
}
