package io.keyflow.remote;

import static io.keyflow.testing.TestFunctions.maxCounts;
import static io.keyflow.testing.TestFunctions.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.functions.FunctionServer;
import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.testing.CollectingEgress;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.TestCertificates;
import io.keyflow.testing.TestFunctions;
import io.undertow.Undertow;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
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
 * A function behind HTTPS that requires a client certificate signed by a test CA and an
 * Authorization header: reachable with the endpoint's {@code trust_cacerts}, {@code client_cert},
 * {@code client_key} and {@code headers}; refused without them.
 */
class TlsFunctionsIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final String TOKEN = "Bearer test-token";

  @TempDir static Path certsDir;
  @TempDir Path checkpoints;

  private static TestCertificates certs;
  private static Undertow server;
  private static String baseUrl;

  @BeforeAll
  static void startHttpsFunctions() throws Exception {
    certs = TestCertificates.create(certsDir);
    var functions =
        FunctionServer.httpHandler(
            TestFunctions.of(TestFunctions.counter("tls", "counter")).requestReplyHandler());
    server =
        Undertow.builder()
            .addHttpsListener(0, "127.0.0.1", certs.serverContext())
            .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUIRED)
            .setHandler(
                exchange -> {
                  if (!TOKEN.equals(
                      exchange.getRequestHeaders().getFirst(new HttpString("Authorization")))) {
                    exchange.setStatusCode(StatusCodes.UNAUTHORIZED);
                    exchange.getResponseSender().send("missing or wrong Authorization header");
                    return;
                  }
                  functions.handleRequest(exchange);
                })
            .build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    baseUrl = "https://127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  private static String endpoint(boolean clientCert, boolean header) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: tls/*
          urlPathTemplate: %s/{function.name}
          transport:
            call: 5s
            connect: 2s
            trust_cacerts: %s
        %s%s
        """
        .formatted(
            baseUrl,
            certs.caPem(),
            clientCert
                ? "    client_cert: %s\n    client_key: %s\n"
                    .formatted(certs.clientCertPem(), certs.clientKeyPem())
                : "",
            header ? "  headers:\n    Authorization: " + TOKEN + "\n" : "");
  }

  @Test
  void aJobReachesTheFunctionWithTheClientCertificateAndHeader() throws Exception {
    int ids = 10;
    int messages = 200;
    GeneratedIngress ingress =
        GeneratedIngress.of(messages, i -> message("tls", "counter", "t" + (i % ids), "m" + i));
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");

    KeyflowTestJob.run(
        KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(300)),
        endpoint(true, true),
        ingress,
        out,
        Duration.ofMinutes(2));

    assertThat(maxCounts(out.records()))
        .hasSize(ids)
        .allSatisfy((id, count) -> assertThat(count).isEqualTo(messages / ids));
  }

  @Test
  void withoutAClientCertificateTheServerRefusesTheConnection() throws Exception {
    RemoteFunctionClient withCert = client(endpoint(true, true));
    RemoteFunctionClient withoutCert = client(endpoint(false, true));

    assertThat(invoke(withCert)).isNotNull();
    assertThatThrownBy(() -> invoke(withoutCert))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            RemoteInvocationException.class,
            e -> {
              assertThat(e.answered()).as("no HTTP answer: the TLS handshake failed").isFalse();
              assertThat(e.getMessage()).contains(baseUrl);
            });
  }

  @Test
  void withoutTheHeaderTheFunctionRejectsTheCall() throws Exception {
    assertThatThrownBy(() -> invoke(client(endpoint(true, false))))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            RemoteInvocationException.class,
            e -> {
              assertThat(e.getMessage()).contains("401");
              assertThat(e.transientFailure()).isFalse();
              assertThat(e.answered()).isTrue();
            });
  }

  private static RemoteFunctionClient client(String moduleYaml) {
    Module module = ModuleLoader.parse("module.yaml", moduleYaml);
    HttpEndpoint endpoint = module.endpoints().get(0);
    return new RemoteFunctionClient(endpoint);
  }

  /** One message for tls/counter/x; the SDK answers with the values it is missing. */
  private static Object invoke(RemoteFunctionClient client) throws Exception {
    ToFunction request =
        ToFunction.newBuilder()
            .setInvocation(
                ToFunction.InvocationBatchRequest.newBuilder()
                    .setTarget(
                        io.keyflow.protocol.reqreply.Address.newBuilder()
                            .setNamespace("tls")
                            .setType("counter")
                            .setId("x"))
                    .addInvocations(
                        ToFunction.Invocation.newBuilder().setArgument(TestFunctions.string("m"))))
            .build();
    return client.invoke(URI.create(baseUrl + "/counter"), request).get(30, TimeUnit.SECONDS);
  }
}
