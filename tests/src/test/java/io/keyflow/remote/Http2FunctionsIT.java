package io.keyflow.remote;

import static io.keyflow.testing.TestFunctions.maxCounts;
import static io.keyflow.testing.TestFunctions.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.keyflow.functions.FunctionServer;
import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.ModuleLoader;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.remote.http.ConnectionStats;
import io.keyflow.testing.CollectingEgress;
import io.keyflow.testing.CountingServerTls;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestCertificates;
import io.keyflow.testing.TestFunctions;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;

/**
 * Endpoints with {@code transport.protocol: http2} against the Java SDK's server (Undertow) with
 * HTTP/2 enabled: h2 by ALPN over mutual TLS, h2c with prior knowledge over cleartext. Hundreds of
 * concurrent calls share a few connections; a server without HTTP/2 is a configuration error.
 */
class Http2FunctionsIT {
  private static final int PARALLELISM = 2;

  @RegisterExtension
  static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(PARALLELISM);

  @TempDir static Path certsDir;
  @TempDir Path checkpoints;

  private static TestCertificates certs;
  private static CountingServerTls tls;
  private static Undertow http2Server;
  private static Undertow http1Server;
  private static String h2Url;
  private static String h2cUrl;
  private static String http1OnlyUrl;

  /** The protocols each namespace's requests arrived with, as Undertow saw them. */
  private static final Map<String, Set<String>> PROTOCOLS = new ConcurrentHashMap<>();

  @BeforeAll
  static void startFunctions() throws Exception {
    certs = TestCertificates.create(certsDir);
    tls = certs.countingServerContext();
    HttpHandler functions =
        FunctionServer.httpHandler(
            TestFunctions.of(
                    TestFunctions.counter("h2", "counter"),
                    TestFunctions.counter("h2c", "counter"),
                    TestFunctions.counter("one", "counter"))
                .requestReplyHandler());
    HttpHandler observed =
        exchange -> {
          String namespace = exchange.getRequestPath().split("/")[1];
          PROTOCOLS
              .computeIfAbsent(namespace, n -> ConcurrentHashMap.newKeySet())
              .add(exchange.getProtocol().toString());
          functions.handleRequest(exchange);
        };
    http2Server =
        Undertow.builder()
            .addHttpsListener(0, "127.0.0.1", tls.context())
            .addHttpListener(0, "127.0.0.1")
            .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
            .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUIRED)
            .setHandler(observed)
            .build();
    http2Server.start();
    h2Url = "https://127.0.0.1:" + port(http2Server, 0);
    h2cUrl = "http://127.0.0.1:" + port(http2Server, 1);
    http1Server =
        Undertow.builder()
            .addHttpsListener(0, "127.0.0.1", certs.serverContext())
            .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUIRED)
            .setHandler(observed)
            .build();
    http1Server.start();
    http1OnlyUrl = "https://127.0.0.1:" + port(http1Server, 0);
  }

  @AfterAll
  static void stop() {
    http2Server.stop();
    http1Server.stop();
  }

  private static int port(Undertow undertow, int listener) {
    return ((InetSocketAddress) undertow.getListenerInfo().get(listener).getAddress()).getPort();
  }

  private static String endpoint(String namespace, String baseUrl) {
    String keys =
        baseUrl.startsWith("https")
            ? "    trust_cacerts: %s\n    client_cert: %s\n    client_key: %s\n"
                .formatted(certs.caPem(), certs.clientCertPem(), certs.clientKeyPem())
            : "";
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: %s/*
          urlPathTemplate: %s/%s/{function.name}
          transport:
            call: 30s
            connect: 5s
            protocol: http2
        %s"""
        .formatted(namespace, baseUrl, namespace, keys);
  }

  /** 400 addresses, three messages each, all at once: every address has a call outstanding. */
  private void runJob(String namespace, String baseUrl) throws Exception {
    int ids = 400;
    GeneratedIngress ingress =
        GeneratedIngress.of(ids * 3, i -> message(namespace, "counter", "a" + (i % ids), "m" + i));
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(
        KeyflowTestJob.configuration(checkpoints, PARALLELISM, Duration.ofMillis(300)),
        endpoint(namespace, baseUrl),
        ingress,
        out,
        Duration.ofMinutes(2));

    ConnectionStats connections =
        RemoteFunctionClient.connections(URI.create(baseUrl + "/" + namespace + "/counter"));
    System.out.printf(
        "%s over HTTP/2: %d connections opened, at most %d at once; the server saw %s%n",
        baseUrl, connections.opened(), connections.mostOpen(), PROTOCOLS.get(namespace));
    assertThat(maxCounts(out.records()))
        .hasSize(ids)
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(3));
    assertThat(PROTOCOLS.get(namespace)).containsExactly("HTTP/2.0");
    // 400 calls at once fit on four connections of 100 streams.
    assertThat(connections.mostOpen()).isBetween(1, 4);
  }

  @Test
  void aJobCallsAnSdkServerOverH2WithMutualTls() throws Exception {
    runJob("h2", h2Url);

    assertThat(tls.connections()).isBetween(1, 4);
  }

  @Test
  void aJobCallsAnSdkServerOverCleartextH2c() throws Exception {
    runJob("h2c", h2cUrl);
  }

  @Test
  void aServerWithoutHttp2IsAConfigurationErrorNamingTheFix() throws Exception {
    HttpEndpoint endpoint =
        ModuleLoader.parse("module.yaml", endpoint("one", http1OnlyUrl)).endpoints().get(0);
    long start = System.nanoTime();
    try (RemoteFunctionClient client = new RemoteFunctionClient(endpoint)) {
      Throwable thrown =
          catchThrowable(
              () ->
                  client
                      .invoke(URI.create(http1OnlyUrl + "/one/counter"), request())
                      .get(30, TimeUnit.SECONDS));

      assertThat(thrown).isInstanceOf(ExecutionException.class);
      assertThat(thrown.getCause())
          .isInstanceOfSatisfying(
              RemoteInvocationException.class,
              e -> {
                assertThat(e.configurationError()).isTrue();
                assertThat(e.getMessage())
                    .contains(http1OnlyUrl)
                    .contains("did not agree to HTTP/2")
                    .contains("transport.protocol");
              });
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("not retried within the 30 s call budget")
          .isLessThan(Duration.ofSeconds(10));
    }
  }

  private static ToFunction request() {
    return ToFunction.newBuilder()
        .setInvocation(
            ToFunction.InvocationBatchRequest.newBuilder()
                .setTarget(Address.newBuilder().setNamespace("one").setType("counter").setId("x"))
                .addInvocations(
                    ToFunction.Invocation.newBuilder().setArgument(TestFunctions.string("m"))))
        .build();
  }
}
