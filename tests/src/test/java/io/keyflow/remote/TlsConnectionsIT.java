package io.keyflow.remote;

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
import io.keyflow.testing.FailurePlan;
import io.keyflow.testing.GeneratedIngress;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.ObservedHandler;
import io.keyflow.testing.TestCertificates;
import io.keyflow.testing.TestFunctions;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;

/**
 * Connections to a function server over mutual TLS are few and cheap: reconnects resume the TLS
 * session instead of a full handshake, and a job restored with hundreds of outstanding requests
 * opens no more connections than the endpoint's pool. TLS connections and full handshakes are
 * counted on the server's side; how long the restore took to catch up over mutual TLS and over http
 * is printed, not asserted (a shared machine's load decides it), with the CPU the JVM and the
 * function server's threads used meanwhile, and what the same number of calls cost from a plain
 * HTTP client over each scheme: the function server shares the JVM's cores, so its TLS is part of
 * the catch-up.
 */
class TlsConnectionsIT {
  private static final int PARALLELISM = 2;
  private static final int POOL_SIZE = 16;

  /** Undertow's threads (I/O and workers): the function server's share of the JVM's CPU. */
  private static final String SERVER_THREADS = "XNIO-";

  @RegisterExtension
  static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(PARALLELISM);

  @TempDir static Path certsDir;
  @TempDir Path checkpoints;

  private static TestCertificates certs;
  private static ObservedHandler functions;
  private static CountingServerTls restoreTls;
  private static Undertow server;
  private static String httpsUrl;
  private static String httpUrl;

  @BeforeAll
  static void startFunctions() throws Exception {
    certs = TestCertificates.create(certsDir);
    functions =
        new ObservedHandler(
            TestFunctions.of(
                    TestFunctions.counter("mtls", "counter"),
                    TestFunctions.counter("plain", "counter"),
                    TestFunctions.counter("resumed", "counter"))
                .requestReplyHandler());
    restoreTls = certs.countingServerContext();
    server =
        Undertow.builder()
            .addHttpsListener(0, "127.0.0.1", restoreTls.context())
            .addHttpListener(0, "127.0.0.1")
            .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUIRED)
            .setHandler(FunctionServer.httpHandler(functions))
            .build();
    server.start();
    httpsUrl = "https://127.0.0.1:" + port(server, 0);
    httpUrl = "http://127.0.0.1:" + port(server, 1);
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  private static int port(Undertow undertow, int listener) {
    return ((InetSocketAddress) undertow.getListenerInfo().get(listener).getAddress()).getPort();
  }

  private static String endpoint(String namespace, String baseUrl) {
    return endpoint(namespace, baseUrl, POOL_SIZE, certs.clientCertPem(), certs.clientKeyPem());
  }

  private static String endpoint(
      String namespace, String baseUrl, int poolSize, Path clientCert, Path clientKey) {
    String tls =
        baseUrl.startsWith("https")
            ? "    trust_cacerts: %s\n    client_cert: %s\n    client_key: %s\n"
                .formatted(certs.caPem(), clientCert, clientKey)
            : "";
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: %s/*
          urlPathTemplate: %s/{function.name}
          transport:
            call: 60s
            connect: 5s
            pool_size: %d
        %s"""
        .formatted(namespace, baseUrl, poolSize, tls);
  }

  /** An https function server that closes every connection after its response. */
  private static Undertow closingServer(CountingServerTls tls) {
    HttpHandler functionsHandler = FunctionServer.httpHandler(functions);
    Undertow closing =
        Undertow.builder()
            .addHttpsListener(0, "127.0.0.1", tls.context())
            .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUIRED)
            .setHandler(
                exchange -> {
                  exchange.setPersistent(false);
                  functionsHandler.handleRequest(exchange);
                })
            .build();
    closing.start();
    return closing;
  }

  /** One call through a new function client of {@code endpointYaml}, closed afterwards. */
  private static void callOnce(String endpointYaml, String url) throws Exception {
    HttpEndpoint endpoint = ModuleLoader.parse("module.yaml", endpointYaml).endpoints().get(0);
    try (RemoteFunctionClient client = new RemoteFunctionClient(endpoint)) {
      client.invoke(URI.create(url + "/counter"), request("x")).get(90, TimeUnit.SECONDS);
    }
  }

  @Test
  void reconnectsToTheSameEndpointResumeTheTlsSession() throws Exception {
    // A server that closes every connection after its response: each call connects anew.
    CountingServerTls tls = certs.countingServerContext();
    Undertow closing = closingServer(tls);
    try {
      String url = "https://127.0.0.1:" + port(closing, 0);
      HttpEndpoint endpoint =
          ModuleLoader.parse("module.yaml", endpoint("resumed", url)).endpoints().get(0);
      int calls = 10;
      try (RemoteFunctionClient client = new RemoteFunctionClient(endpoint)) {
        for (int i = 0; i < calls; i++) {
          client.invoke(URI.create(url + "/counter"), request("x")).get(30, TimeUnit.SECONDS);
        }
      }

      System.out.printf(
          "%d calls over mutual TLS, each on a new connection: %d TLS connections accepted, %d"
              + " full handshakes%n",
          calls, tls.connections(), tls.fullHandshakes());
      assertThat(tls.connections()).as("one connection per call").isEqualTo(calls);
      assertThat(tls.fullHandshakes()).as("only the first connection's handshake is full").isOne();
    } finally {
      closing.stop();
    }
  }

  @Test
  void aNewPoolWithTheSameTlsFilesResumesTheSessionAndChangedFilesAreReadAnew(@TempDir Path files)
      throws Exception {
    CountingServerTls tls = certs.countingServerContext();
    Undertow closing = closingServer(tls);
    try {
      String url = "https://127.0.0.1:" + port(closing, 0);
      Path cert = Files.copy(certs.clientCertPem(), files.resolve("client.pem"));
      Path key = Files.copy(certs.clientKeyPem(), files.resolve("client.key"));

      callOnce(endpoint("resumed", url, POOL_SIZE, cert, key), url);
      int firstFull = tls.fullHandshakes();
      // Other pool settings make a pool of their own (as a restarted job's new client does): its
      // first connection resumes the session of the first pool's, whose TLS files are the same.
      callOnce(endpoint("resumed", url, POOL_SIZE - 1, cert, key), url);
      int sameFilesFull = tls.fullHandshakes() - firstFull;

      // The same locations now hold another certificate and key, signed by the trusted CA.
      certs.createClient("keyflow-client-renewed", true);
      Files.copy(
          certs.certPem("keyflow-client-renewed"), cert, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(certs.keyPem("keyflow-client-renewed"), key, StandardCopyOption.REPLACE_EXISTING);
      int beforeRenewed = tls.fullHandshakes();
      callOnce(endpoint("resumed", url, POOL_SIZE, cert, key), url);
      int renewedFull = tls.fullHandshakes() - beforeRenewed;

      // And then a certificate of a CA the server does not trust: presented, so refused.
      certs.createClient("keyflow-client-untrusted", false);
      Files.copy(
          certs.certPem("keyflow-client-untrusted"), cert, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(
          certs.keyPem("keyflow-client-untrusted"), key, StandardCopyOption.REPLACE_EXISTING);
      Throwable refused =
          catchThrowable(() -> callOnce(endpoint("resumed", url, POOL_SIZE, cert, key), url));

      System.out.printf(
          "TLS files kept across pools: first pool %d full handshake(s); a second pool with the"
              + " same files %d; after the files changed %d; %d TLS connections in all%n",
          firstFull, sameFilesFull, renewedFull, tls.connections());
      assertThat(firstFull).as("the first connection's handshake is full").isOne();
      assertThat(sameFilesFull).as("a new pool with the same files resumes the session").isZero();
      assertThat(renewedFull).as("changed files make a context of their own").isOne();
      assertThat(refused)
          .as("the changed certificate is the one presented")
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("refused the client certificate");
    } finally {
      closing.stop();
    }
  }

  @Test
  void aRestoreWithHundredsOfOutstandingCallsOverMutualTlsOpensAtMostThePool() throws Exception {
    int ids = 400;
    // A restore meets a TaskManager whose TLS and HTTP code has run before: one unmeasured job
    // over each scheme first, so that neither figure is the JIT compiler's.
    warmUp("mtls", httpsUrl, ids);
    warmUp("plain", httpUrl, ids);
    RestoreRun tls = restoreWithOutstandingCalls("mtls", httpsUrl, ids);
    RestoreRun http = restoreWithOutstandingCalls("plain", httpUrl, ids);

    System.out.printf(
        "restore with %d outstanding calls, pool_size %d: catch-up (failure to every count"
            + " complete) over mutual TLS %d ms, over http %d ms; CPU of the whole JVM meanwhile"
            + " %d ms against %d ms, of which the function server's threads %d ms against %d ms;"
            + " mutual TLS: %d TLS connections"
            + " before the failure, %d after it (%d full handshakes after it), %d requests"
            + " after it (http: %d); client side: at most %d (https) and %d (http) connections"
            + " open at once%n",
        ids,
        POOL_SIZE,
        tls.catchUpMillis,
        http.catchUpMillis,
        tls.processCpuMillis,
        http.processCpuMillis,
        tls.serverCpuMillis,
        http.serverCpuMillis,
        tls.connectionsBefore,
        tls.connectionsAfter,
        tls.fullHandshakesAfter,
        tls.requestsAfter,
        http.requestsAfter,
        tls.mostOpen,
        http.mostOpen);
    plainClientRounds(ids);
    assertThat(tls.requestsAfter)
        .as("every address's outstanding call was sent again after the restore")
        .isGreaterThanOrEqualTo(ids);
    assertThat(tls.connectionsBefore).isBetween(1, POOL_SIZE);
    assertThat(tls.connectionsAfter).isBetween(1, POOL_SIZE);
    assertThat(tls.mostOpen).isLessThanOrEqualTo(POOL_SIZE);
    // The restored job's pool finds the TLS contexts of the job before the failure, one ticket
    // per lane: a new client with empty session caches made nearly every handshake full (13 to
    // 15 of 16).
    assertThat(tls.fullHandshakesAfter)
        .as("connections after the restore resume the sessions of those before it")
        .isLessThan(tls.connectionsAfter / 2);
  }

  /**
   * The same number of calls from a plain client (the JDK's {@code HttpClient}, HTTP/1.1, as many
   * at once as the pool's size) to the same server, without Flink or Keyflow: what the transport
   * alone costs over each scheme on this machine, warm after the first round. Printed, not
   * asserted.
   */
  private void plainClientRounds(int calls) throws Exception {
    HttpClient plain =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(certs.clientContext())
            .build();
    StringBuilder rounds = new StringBuilder();
    for (int round = 1; round <= 3; round++) {
      PlainRound tls = plainRound(plain, httpsUrl, calls);
      PlainRound http = plainRound(plain, httpUrl, calls);
      rounds.append(
          String.format(
              "%n  round %d: mutual TLS %d ms (JVM CPU %d ms, function server %d ms), http %d ms"
                  + " (JVM CPU %d ms, function server %d ms)",
              round,
              tls.wallMillis,
              tls.processCpuMillis,
              tls.serverCpuMillis,
              http.wallMillis,
              http.processCpuMillis,
              http.serverCpuMillis));
    }
    System.out.printf(
        "%d calls from a plain HTTP/1.1 client, %d at once, to the same function server:%s%n",
        calls, POOL_SIZE, rounds);
  }

  /** What one round of calls from the plain client cost. */
  private record PlainRound(long wallMillis, long processCpuMillis, long serverCpuMillis) {}

  private static PlainRound plainRound(HttpClient client, String baseUrl, int calls)
      throws Exception {
    Semaphore slots = new Semaphore(POOL_SIZE);
    List<CompletableFuture<HttpResponse<byte[]>>> sent = new ArrayList<>();
    long processBefore = ThreadCpu.processNanos();
    long serverBefore = ThreadCpu.nanos(SERVER_THREADS);
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      slots.acquire();
      HttpRequest post =
          HttpRequest.newBuilder(URI.create(baseUrl + "/counter"))
              .header("Content-Type", "application/octet-stream")
              .POST(HttpRequest.BodyPublishers.ofByteArray(request("p" + i).toByteArray()))
              .build();
      sent.add(
          client
              .sendAsync(post, HttpResponse.BodyHandlers.ofByteArray())
              .whenComplete((response, error) -> slots.release()));
    }
    for (CompletableFuture<HttpResponse<byte[]>> call : sent) {
      assertThat(call.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    long wall = System.nanoTime() - start;
    return new PlainRound(
        TimeUnit.NANOSECONDS.toMillis(wall),
        TimeUnit.NANOSECONDS.toMillis(ThreadCpu.processNanos() - processBefore),
        TimeUnit.NANOSECONDS.toMillis(ThreadCpu.nanos(SERVER_THREADS) - serverBefore));
  }

  /** One message to each of {@code ids} addresses, unmeasured. */
  private void warmUp(String namespace, String baseUrl, int ids) throws Exception {
    KeyflowTestJob.run(
        KeyflowTestJob.configuration(checkpoints, PARALLELISM, Duration.ofMillis(300)),
        endpoint(namespace, baseUrl),
        GeneratedIngress.of(ids, i -> message(namespace, "counter", "w" + i, "w" + i)),
        CollectingEgress.named("keyflow.test/out"),
        Duration.ofMinutes(2));
  }

  /** What a restore cost over one scheme. */
  private record RestoreRun(
      long catchUpMillis,
      int connectionsBefore,
      int connectionsAfter,
      int fullHandshakesAfter,
      int requestsAfter,
      int mostOpen,
      long processCpuMillis,
      long serverCpuMillis) {}

  /**
   * Runs a job of {@code ids} addresses, three messages each, against {@code namespace}/counter.
   * The function holds every call that carries state until the job has failed, so that every
   * address has a call outstanding, the pool's connections all busy; once a checkpoint taken after
   * that is complete the job fails, and restores with all those calls to send again.
   */
  private RestoreRun restoreWithOutstandingCalls(String namespace, String baseUrl, int ids)
      throws Exception {
    String type = namespace + "/counter";
    int connectionsAtStart = restoreTls.connections();
    Set<String> held = ConcurrentHashMap.newKeySet();
    Map<String, Long> marks = new ConcurrentHashMap<>();
    FailurePlan plan =
        FailurePlan.register(
            namespace,
            new FailurePlan() {
              @Override
              protected boolean shouldFail(long records, int checkpoints) {
                Long checkpointWhenHeld = marks.get("held");
                if (failures() > 0 || checkpointWhenHeld == null) {
                  return false;
                }
                if (lastCompletedCheckpoint() < checkpointWhenHeld + 2) {
                  return false;
                }
                marks.put("connections", (long) restoreTls.connections());
                marks.put("handshakes", (long) restoreTls.fullHandshakes());
                marks.put("requests", (long) functions.observed(type).requests.get());
                marks.put("processCpu", ThreadCpu.processNanos());
                marks.put("serverCpu", ThreadCpu.nanos(SERVER_THREADS));
                marks.put("failedAt", System.nanoTime());
                return true;
              }
            });
    functions.hold(
        type,
        request -> {
          // The first call of an address (without state) only asks for the state's spec.
          if (request.getStateCount() == 0 || plan.failures() > 0) {
            return false;
          }
          held.add(request.getTarget().getId());
          if (held.size() >= POOL_SIZE) {
            marks.putIfAbsent("held", Math.max(0, plan.lastCompletedCheckpoint()));
          }
          return true;
        });
    GeneratedIngress ingress =
        GeneratedIngress.of(ids * 3, i -> message(namespace, "counter", "a" + (i % ids), "m" + i))
            .lingering()
            .failing(namespace);
    CollectingEgress out = CollectingEgress.named("keyflow.test/out");
    URI url = URI.create(baseUrl + "/counter");

    JobClient job =
        KeyflowTestJob.start(
            KeyflowTestJob.configuration(checkpoints, PARALLELISM, Duration.ofMillis(300)),
            endpoint(namespace, baseUrl),
            ingress,
            out);
    try {
      KeyflowTestJob.awaitWhileRunning(job, Duration.ofMinutes(1), () -> plan.failures() > 0);
      long failedAt = marks.get("failedAt");
      int connectionsBefore = marks.get("connections").intValue();
      int handshakesBefore = marks.get("handshakes").intValue();
      int requestsBefore = marks.get("requests").intValue();
      KeyflowTestJob.awaitWhileRunning(
          job,
          Duration.ofMinutes(2),
          () -> {
            Map<String, Long> counts = out.maxReported();
            return counts.size() == ids && counts.values().stream().allMatch(c -> c == 3);
          });
      long caughtUp = System.nanoTime();
      long processCpu = ThreadCpu.processNanos() - marks.get("processCpu");
      long serverCpu = ThreadCpu.nanos(SERVER_THREADS) - marks.get("serverCpu");
      ConnectionStats client = RemoteFunctionClient.connections(url);
      boolean tls = baseUrl.startsWith("https");
      return new RestoreRun(
          TimeUnit.NANOSECONDS.toMillis(caughtUp - failedAt),
          tls ? connectionsBefore - connectionsAtStart : 0,
          tls ? restoreTls.connections() - connectionsBefore : 0,
          tls ? restoreTls.fullHandshakes() - handshakesBefore : 0,
          functions.observed(type).requests.get() - requestsBefore,
          client.mostOpen(),
          TimeUnit.NANOSECONDS.toMillis(processCpu),
          TimeUnit.NANOSECONDS.toMillis(serverCpu));
    } finally {
      KeyflowTestJob.cancel(job);
    }
  }

  private static ToFunction request(String id) {
    return ToFunction.newBuilder()
        .setInvocation(
            ToFunction.InvocationBatchRequest.newBuilder()
                .setTarget(
                    Address.newBuilder().setNamespace("resumed").setType("counter").setId(id))
                .addInvocations(
                    ToFunction.Invocation.newBuilder().setArgument(TestFunctions.string("m"))))
        .build();
  }
}
