package io.keyflow.testkit.junit;

import io.keyflow.io.gateway.Gateway;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.testkit.Value;
import io.keyflow.testkit.kafka.KafkaTestBroker;
import io.keyflow.testkit.kafka.TopicRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.apache.flink.statefun.sdk.java.types.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Keyflow application for one test class, injected by {@link KeyflowTest}: send records
 * to ingress topics, await what egresses commit, call functions through the HTTP gateway, fail the
 * job and let it restore from its last checkpoint, and wait past delayed messages.
 *
 * <p>Every await is bounded ({@link KeyflowTest#awaitTimeoutMillis()}) and fails with what did
 * arrive.
 */
public final class KeyflowEnvironment implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KeyflowEnvironment.class);

  private final String run = UUID.randomUUID().toString();
  private final long awaitMillis;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Map<String, TopicRecords> topics = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private KafkaTestBroker kafka;
  private ObservedFunctions functions;
  private TestJob job;
  private JobControl control;
  private Gateway gateway;
  private Duration startup;
  private final StringBuilder phases = new StringBuilder();
  private long phaseStart = System.nanoTime();

  private KeyflowEnvironment(long awaitMillis) {
    this.awaitMillis = awaitMillis;
  }

  /**
   * Starts the broker, the functions and the job, and returns once every task runs.
   *
   * @param functionsUnderTest a {@code RequestReplyHandler} or a base URL string
   */
  static KeyflowEnvironment start(KeyflowTest settings, Object functionsUnderTest, Path workDir)
      throws Exception {
    long started = System.nanoTime();
    KeyflowEnvironment env = new KeyflowEnvironment(settings.awaitTimeoutMillis());
    try {
      env.startAll(settings, functionsUnderTest, workDir);
    } catch (Exception | Error e) {
      env.close();
      throw e;
    }
    env.startup = Duration.ofNanos(System.nanoTime() - started);
    LOG.info(
        "Keyflow test environment for {} ready in {} ms ({}; Kafka {}, functions {})",
        settings.module(),
        env.startup.toMillis(),
        env.phases,
        env.kafka.bootstrapServers(),
        env.functions.baseUrl());
    return env;
  }

  private void startAll(KeyflowTest settings, Object functionsUnderTest, Path workDir)
      throws Exception {
    Configuration conf =
        TestJob.configuration(
            workDir.resolve("checkpoints"),
            settings.parallelism(),
            settings.checkpointIntervalMillis());
    // The MiniCluster does not need the broker: both start at once.
    CompletableFuture<MiniCluster> cluster =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return TestJob.startCluster(conf, settings.parallelism());
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    resources.add(() -> closeCluster(cluster));
    kafka = keep(KafkaTestBroker.start());
    phase("broker");
    functions =
        keep(
            functionsUnderTest instanceof RequestReplyHandler handler
                ? ObservedFunctions.serving(handler, settings.delaySpeedup())
                : ObservedFunctions.forwardingTo(
                    (String) functionsUnderTest, settings.delaySpeedup()));
    ModuleRewriter.Rewritten rewritten =
        ModuleRewriter.rewrite(
            settings.module(),
            readModule(settings.module()),
            kafka.bootstrapServers(),
            functions.baseUrl());
    kafka.createTopics(rewritten.topics(), KafkaTestBroker.DEFAULT_PARTITIONS);
    Module parsed = ModuleLoader.parse(settings.module(), rewritten.yaml());
    List<io.keyflow.module.IngressComponent> ingresses = new ArrayList<>(parsed.ingresses());
    control = JobControl.register(run);
    resources.add(() -> JobControl.unregister(run));
    ingresses.add(new ControlIngress(run));
    Module module =
        new Module(
            parsed.source(), parsed.endpoints(), ingresses, parsed.egresses(), parsed.schedules());
    MiniCluster started;
    try {
      started = cluster.get(settings.startupTimeoutMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the Flink MiniCluster did not start: " + e.getCause(), e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "the Flink MiniCluster did not start within "
              + settings.startupTimeoutMillis()
              + " ms (@KeyflowTest(startupTimeoutMillis))",
          e);
    }
    phase("MiniCluster");
    job = keep(TestJob.submit(started, module, conf));
    phase("job submitted");
    job.awaitRunning(Duration.ofMillis(settings.startupTimeoutMillis()));
    phase("tasks running");
    Optional<io.keyflow.io.gateway.GatewaySpec> declared = Gateway.declaredIn(parsed);
    if (declared.isPresent()) {
      Gateway running = Gateway.start(declared.get(), parsed, Duration.ofSeconds(30));
      gateway = running;
      resources.add(running::close);
      phase("gateway");
    }
  }

  private static void closeCluster(CompletableFuture<MiniCluster> cluster) throws Exception {
    MiniCluster started;
    try {
      started = cluster.get(2, TimeUnit.MINUTES);
    } catch (ExecutionException failedToStart) {
      return;
    }
    started.closeAsync().get(60, TimeUnit.SECONDS);
  }

  /** Notes how long the step that just ended took, for the startup log line. */
  private void phase(String name) {
    long now = System.nanoTime();
    phases
        .append(phases.length() == 0 ? "" : ", ")
        .append(name)
        .append(' ')
        .append((now - phaseStart) / 1_000_000)
        .append(" ms");
    phaseStart = now;
  }

  static String readModule(String location) throws java.io.IOException {
    if (location.startsWith("classpath:")) {
      String name = location.substring("classpath:".length());
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      try (var in = loader.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalArgumentException(
              "@KeyflowTest(module = \""
                  + location
                  + "\"): no resource "
                  + name
                  + " on the class path");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    Path path = Path.of(location);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "@KeyflowTest(module = \""
              + location
              + "\"): no file "
              + path.toAbsolutePath()
              + "; give a path relative to "
              + Path.of("").toAbsolutePath()
              + " or classpath:NAME");
    }
    return Files.readString(path);
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(resource);
    return resource;
  }

  /** How long the broker, functions, job and gateway took to be ready. */
  public Duration startupTime() {
    return startup;
  }

  /** The test broker's address, for clients of one's own. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** Where the kit serves the functions, for example {@code http://127.0.0.1:41234}. */
  public String functionsUrl() {
    return functions.baseUrl();
  }

  /** Writes a record with UTF-8 key and value to {@code topic} and waits for the broker's ack. */
  public void send(String topic, String key, String value) {
    kafka.produce(topic, key, value);
  }

  /** Writes a record to {@code topic} and waits for the broker's ack. */
  public void send(String topic, String key, byte[] value) {
    kafka.produce(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
  }

  /** The committed records of an egress topic, read from its beginning (created if missing). */
  public TopicRecords topic(String topic) {
    return topics.computeIfAbsent(
        topic,
        name -> {
          kafka.createTopics(List.of(name), KafkaTestBroker.DEFAULT_PARTITIONS);
          TopicRecords records =
              new TopicRecords(kafka.bootstrapServers(), name, Duration.ofMillis(awaitMillis));
          resources.add(records);
          return records;
        });
  }

  /**
   * Calls {@code target} through the module's HTTP gateway with {@code value} and waits for the
   * answer (the gateway's own wait, then 202).
   *
   * @throws IllegalStateException if the module declares no gateway
   */
  public GatewayResponse call(Address target, Value value) {
    if (gateway == null) {
      throw new IllegalStateException(
          "the module declares no gateway (kind io.keyflow.gateway.v1/http); add one to call"
              + " functions over HTTP");
    }
    URI uri =
        URI.create(
            gateway.baseUrl()
                + "/v1/functions/"
                + target.type().namespace()
                + "/"
                + target.type().name()
                + "/"
                + target.id());
    try {
      HttpResponse<byte[]> response =
          http.send(
              HttpRequest.newBuilder(uri)
                  .header("Content-Type", value.typename())
                  .timeout(Duration.ofMillis(awaitMillis))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(value.bytes()))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      Optional<Value> reply =
          response.statusCode() == 200
              ? response
                  .headers()
                  .firstValue("X-Keyflow-Type")
                  .map(type -> Value.ofBytes(type, response.body()))
              : Optional.empty();
      return new GatewayResponse(
          response.statusCode(), reply, new String(response.body(), StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new AssertionError("the gateway call to " + uri + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while calling " + uri, e);
    }
  }

  /** Calls {@code target} through the gateway with {@code value} serialized by {@code type}. */
  public <T> GatewayResponse call(Address target, Type<T> type, T value) {
    return call(target, Value.of(type, value));
  }

  /**
   * Waits until a checkpoint that started after this call completes, so everything the job has
   * taken in so far is in it.
   *
   * @return the checkpoint's id
   */
  public long awaitCheckpoint() {
    long before = control.lastCheckpoint();
    try {
      // A checkpoint already running when asked may have started before; wait for the next one.
      boolean done =
          control.awaitCheckpointAfter(before, awaitMillis)
              && control.awaitCheckpointAfter(control.lastCheckpoint(), awaitMillis);
      if (!done) {
        throw new AssertionError(
            "no checkpoint completed within "
                + awaitMillis
                + " ms (last completed: "
                + before
                + ")"
                + jobState());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a checkpoint", e);
    }
    return control.lastCheckpoint();
  }

  /**
   * Fails a task of the job now, as a crash would, and waits until the job has restarted from its
   * last completed checkpoint and runs again. State, in-flight requests and messages between
   * functions are those of that checkpoint; records the ingresses read after it are read again;
   * egress records not committed by it are discarded. Exactly-once output is unchanged.
   *
   * @return the id of the last checkpoint completed before the failure (-1 if none yet)
   */
  public long failAndRestore() {
    long restoredFrom = control.lastCheckpoint();
    int attempt = control.failCurrentAttempt();
    try {
      if (!control.awaitAttemptAfter(attempt, awaitMillis)) {
        throw new AssertionError(
            "the job did not restart within "
                + awaitMillis
                + " ms of the injected failure"
                + jobState());
      }
      job.awaitRunning(Duration.ofMillis(awaitMillis));
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("waiting for the job to restart failed: " + e, e);
    }
    return restoredFrom;
  }

  /**
   * Waits until every delayed message the functions have scheduled so far (and not cancelled) has
   * reached its target. Time is not faked: delays run on the job's clock, shortened by {@link
   * KeyflowTest#delaySpeedup()}, so with a speed-up of 1000 a 2-minute delay is passed in 120 ms.
   *
   * @throws AssertionError listing the messages still pending after the await timeout
   */
  public void advancePastDelayedMessages() {
    try {
      functions.delays().awaitNonePending(awaitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for delayed messages", e);
    }
  }

  /** Delayed messages scheduled and not yet delivered, as the kit saw them. */
  public int pendingDelayedMessages() {
    return functions.delays().pendingCount();
  }

  /** How many times the job restarted since it started. */
  public int restarts() {
    return Math.max(0, control.attempt());
  }

  private String jobState() {
    try {
      return job.ended() ? "; the job has ended" : "";
    } catch (Exception e) {
      return "";
    }
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    resources.clear();
    if (first != null) {
      throw first;
    }
  }
}
