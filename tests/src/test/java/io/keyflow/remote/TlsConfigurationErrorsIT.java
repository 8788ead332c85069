package io.keyflow.remote;

import static io.keyflow.testing.TestFunctions.maxCounts;
import static io.keyflow.testing.TestFunctions.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.ModuleLoader;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.remote.http.ConnectionStats;
import io.keyflow.testing.CollectingEgress;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestCertificates;
import io.keyflow.testing.TestCertificates.BadServerCertificate;
import io.keyflow.testing.TestFunctions;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;

/**
 * TLS failures that no retry can fix end the call at once as a configuration error that names the
 * endpoint, the server's certificate (subject and SANs) and the fix; and a burst of calls over
 * mutual TLS opens no more connections than the endpoint's pool.
 */
class TlsConfigurationErrorsIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  @TempDir static Path certsDir;
  @TempDir Path checkpoints;

  private static TestCertificates certs;
  private static final List<Undertow> servers = new ArrayList<>();

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.create(certsDir);
  }

  @AfterAll
  static void stop() {
    servers.forEach(Undertow::stop);
  }

  /** An https function server with {@code context}, requiring a client certificate. */
  private static String serve(SSLContext context, int ioThreads) {
    HttpHandler functions =
        FunctionServer.httpHandler(
            TestFunctions.of(TestFunctions.counter("tls", "counter")).requestReplyHandler());
    Undertow server =
        Undertow.builder()
            .addHttpsListener(0, "127.0.0.1", context)
            .setIoThreads(ioThreads)
            .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUIRED)
            .setHandler(functions)
            .build();
    server.start();
    servers.add(server);
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    return "https://127.0.0.1:" + port;
  }

  private static String endpoint(String baseUrl, boolean clientCert, int poolSize) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: tls/*
          urlPathTemplate: %s/{function.name}
          transport:
            call: 20s
            connect: 5s
            pool_size: %d
            trust_cacerts: %s
        %s
        """
        .formatted(
            baseUrl,
            poolSize,
            certs.caPem(),
            clientCert
                ? "    client_cert: %s\n    client_key: %s\n"
                    .formatted(certs.clientCertPem(), certs.clientKeyPem())
                : "");
  }

  private static RemoteInvocationException failure(String baseUrl, boolean clientCert) {
    HttpEndpoint endpoint =
        ModuleLoader.parse("module.yaml", endpoint(baseUrl, clientCert, 8)).endpoints().get(0);
    long start = System.nanoTime();
    try (RemoteFunctionClient client = new RemoteFunctionClient(endpoint)) {
      Throwable thrown =
          org.assertj.core.api.Assertions.catchThrowable(
              () ->
                  client
                      .invoke(URI.create(baseUrl + "/counter"), request("x"))
                      .get(30, TimeUnit.SECONDS));
      assertThat(thrown).isInstanceOf(ExecutionException.class);
      assertThat(thrown.getCause()).isInstanceOf(RemoteInvocationException.class);
      RemoteInvocationException error = (RemoteInvocationException) thrown.getCause();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf("%s failed in %d ms: %s%n", baseUrl, took.toMillis(), error.getMessage());
      assertThat(took)
          .as("no retry within the 20 s call budget")
          .isLessThan(Duration.ofSeconds(10));
      assertThat(error.configurationError()).isTrue();
      assertThat(error.retryable()).isFalse();
      assertThat(error.getMessage()).contains(baseUrl).contains("Fix:");
      return error;
    }
  }

  @Test
  void aServerCertificateForAnotherHostIsAConfigurationErrorNamingItsSans() throws Exception {
    String url = serve(certs.serverContext(BadServerCertificate.WRONG_HOST), 1);

    assertThat(failure(url, true).getMessage())
        .contains("does not name the IP address 127.0.0.1")
        .contains("CN=elsewhere.example")
        .contains("DNS:elsewhere.example")
        .contains("IP:127.0.0.1");
  }

  @Test
  void anExpiredServerCertificateIsAConfigurationErrorSayingWhenItExpired() throws Exception {
    String url = serve(certs.serverContext(BadServerCertificate.EXPIRED), 1);

    assertThat(failure(url, true).getMessage())
        .contains("expired on")
        .contains("CN=127.0.0.1")
        .contains("IP:127.0.0.1");
  }

  @Test
  void aServerCertificateFromAnotherCaIsAConfigurationErrorNamingTheTrustedFile() throws Exception {
    String url = serve(certs.serverContext(BadServerCertificate.OTHER_CA), 1);

    assertThat(failure(url, true).getMessage())
        .contains("not signed by a CA Keyflow trusts")
        .contains("CN=keyflow-test-second-ca")
        .contains("transport.trust_cacerts " + certs.caPem());
  }

  @Test
  void aClientWithoutACertificateIsRefusedAsAConfigurationError() throws Exception {
    String url = serve(certs.serverContext(), 1);

    assertThat(failure(url, false).getMessage())
        .contains("refused the client certificate")
        .contains("transport.client_cert");
  }

  @Test
  void hundredsOfConcurrentCallsOverMutualTlsOpenAtMostThePoolsConnections() throws Exception {
    String url = serve(certs.serverContext(), 2);
    int ids = 400;
    int poolSize = 16;
    GeneratedIngress ingress =
        GeneratedIngress.of(ids * 3, i -> message("tls", "counter", "t" + (i % ids), "m" + i));
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    long start = System.nanoTime();
    KeyflowTestJob.run(
        KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
        endpoint(url, true, poolSize),
        ingress,
        out,
        Duration.ofMinutes(2));
    long millis = (System.nanoTime() - start) / 1_000_000;

    ConnectionStats connections = RemoteFunctionClient.connections(URI.create(url + "/counter"));
    System.out.printf(
        "%d ids, %d messages over mutual TLS with pool_size %d: %d ms, %d connections opened, at"
            + " most %d open at once%n",
        ids, ids * 3, poolSize, millis, connections.opened(), connections.mostOpen());
    assertThat(maxCounts(out.records()))
        .hasSize(ids)
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(3));
    assertThat(connections.mostOpen()).isLessThanOrEqualTo(poolSize);
  }

  private static ToFunction request(String id) {
    return ToFunction.newBuilder()
        .setInvocation(
            ToFunction.InvocationBatchRequest.newBuilder()
                .setTarget(Address.newBuilder().setNamespace("tls").setType("counter").setId(id))
                .addInvocations(
                    ToFunction.Invocation.newBuilder().setArgument(TestFunctions.string("m"))))
        .build();
  }
}
