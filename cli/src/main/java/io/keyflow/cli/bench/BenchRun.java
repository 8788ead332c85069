package io.keyflow.cli.bench;

import io.keyflow.cli.flink.FlinkRest;
import io.keyflow.cli.run.EmbeddedConfiguration;
import io.keyflow.cli.run.EmbeddedFlink;
import io.keyflow.job.KeyflowOptions;
import io.keyflow.job.KeyflowTopology;
import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.module.TypeName;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One workload: fills an input topic with a backlog, starts a function server process and the
 * Keyflow job, and measures how long the job takes to commit one output per input, with the CPU
 * each process spent meanwhile.
 */
final class BenchRun {
  private final BenchRun.BenchSettings settings;
  private final String bootstrapServers;
  private final long brokerPid;
  private final int functionsPort;
  private final long functionsPid;
  private final EmbeddedFlink flink;

  BenchRun(BenchSettings settings, BenchProcesses processes) {
    this.settings = settings;
    this.flink = processes.flink();
    this.bootstrapServers = processes.bootstrapServers();
    this.brokerPid = processes.brokerPid();
    this.functionsPort = processes.functionsPort();
    this.functionsPid = processes.functionsPid();
  }

  /**
   * Runs {@code workload} once without measuring against the ceiling: the JVM compiles the hot
   * paths of Flink, Kafka, RocksDB and Keyflow, which otherwise takes much of a short run's CPU.
   * Its output is checked all the same.
   */
  void warmUp(String workload) throws Exception {
    BenchResult result = measure(workload, false);
    if (!result.correct()) {
      throw new IllegalStateException(
          "the warm-up run of " + workload + " produced wrong output: " + result.problem());
    }
  }

  BenchResult run(String workload) throws Exception {
    return measure(workload, true);
  }

  private BenchResult measure(String workload, boolean measureCeiling) throws Exception {
    String suffix = workload + "-" + UUID.randomUUID();
    String in = "bench-in-" + suffix;
    String out = "bench-out-" + suffix;
    createTopics(bootstrapServers, settings.parallelism(), in, out);
    prefill(in);
    int port = functionsPort;
    try (OutputCheck check = new OutputCheck(bootstrapServers, out, true);
        OutputCheck emitted = new OutputCheck(bootstrapServers, out, false)) {
      Module module =
          ModuleLoader.parse("benchmark module", module(port, in, out, workload.equals("forward")));
      // The steady state is taken from the emitted output, which arrives as the job writes it;
      // committed output arrives once per checkpoint, too coarse for a backlog of a few seconds.
      emitted.markSteadyState(
          settings.records(), ProcessHandle.current().pid(), functionsPid, brokerPid);
      StreamGraph graph = jobGraph(settings, suffix, module, "keyflow-bench-" + workload);
      long self = ProcessHandle.current().pid();
      long keyflowCpu = ProcessCpu.micros(self);
      long functionsCpu = ProcessCpu.micros(functionsPid);
      long brokerCpu = ProcessCpu.micros(brokerPid);
      long started = System.nanoTime();
      JobID job = flink.submit(graph);
      long deadline = started + settings.timeout().toNanos();
      while (true) {
        long written = emitted.poll();
        if (check.poll() >= settings.records() && written >= settings.records()) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the "
                  + workload
                  + " workload committed "
                  + check.poll()
                  + " of "
                  + settings.records()
                  + " outputs within "
                  + settings.timeout());
        }
      }
      long ended = System.nanoTime();
      long drainNanos = emitted.lastRecordNanos() - emitted.firstRecordNanos();
      keyflowCpu = ProcessCpu.micros(self) - keyflowCpu;
      functionsCpu = ProcessCpu.micros(functionsPid) - functionsCpu;
      brokerCpu = ProcessCpu.micros(brokerPid) - brokerCpu;
      long live = liveTrickle(in, check, emitted);
      FlinkRest rest = new FlinkRest(flink.restAddress());
      // Flink fetches metrics on demand: ask once, wait a fetch interval, then read them.
      rest.sum(job.toString(), ".keyflowRequests");
      Thread.sleep(1_500);
      rest.sum(job.toString(), ".keyflowRequests");
      Thread.sleep(1_500);
      double invocations = rest.sum(job.toString(), ".keyflowInvocations");
      double requests = rest.sum(job.toString(), ".keyflowRequests");
      double invocationsPerRequest = requests == 0 ? 0 : invocations / requests;
      flink.cancel(job, Duration.ofSeconds(30));
      CeilingResult ceiling =
          measureCeiling
              ? ceiling(module, port, workload, invocationsPerRequest, functionsPid)
              : null;
      double records = settings.records();
      double seconds = (ended - started) / 1e9;
      String problem = check.problem(settings.keys(), settings.records() + live);
      return new BenchResult(
          workload,
          settings.records(),
          settings.keys(),
          settings.parallelism(),
          seconds,
          records / seconds,
          records / Math.max(1e-9, drainNanos / 1e9),
          emitted.steadyRecordsPerSecond(settings.checkpointInterval()),
          invocationsPerRequest,
          keyflowCpu / records,
          functionsCpu / records,
          brokerCpu / records,
          emitted.steadyCpuMicrosPerRecord(0),
          emitted.steadyCompilerMicrosPerRecord(0),
          emitted.steadyCpuMicrosPerRecord(1),
          emitted.steadyCompilerMicrosPerRecord(1),
          emitted.steadyCpuMicrosPerRecord(2),
          (long) settings.liveRate() * settings.liveSeconds(),
          settings.liveSettling().toSeconds(),
          emitted.latencyMillis(50),
          emitted.latencyMillis(99),
          emitted.latencyMillisByWindow(
              99, LATENCY_WINDOW, Duration.ofSeconds(settings.liveSeconds())),
          check.latencyMillis(50),
          check.latencyMillis(99),
          ceiling,
          problem == null,
          problem);
    }
  }

  /**
   * Drives the function server directly with the job's batch shape and the concurrency the job
   * could use: the endpoint's pool size, or fewer if the dispatchers cap outstanding requests
   * lower.
   */
  private CeilingResult ceiling(
      Module module, int port, String workload, double invocationsPerRequest, long functionsPid)
      throws Exception {
    HttpEndpoint endpoint =
        module
            .endpointFor(new TypeName("bench", "counter"))
            .orElseThrow(() -> new IllegalStateException("the bench module binds no counter"));
    int concurrency = endpoint.transport().poolSize();
    String cap = settings.options().get(KeyflowOptions.MAX_OUTSTANDING_REQUESTS.key());
    int perSubtask =
        cap == null
            ? KeyflowOptions.MAX_OUTSTANDING_REQUESTS.defaultValue()
            : Integer.parseInt(cap);
    if (perSubtask > 0) {
      concurrency = (int) Math.min(concurrency, (long) perSubtask * settings.parallelism());
    }
    int batch = (int) Math.max(1, Math.round(invocationsPerRequest));
    System.out.printf(
        "  ceiling: driving the function server directly, %d message(s) a request, %d at once%n",
        batch, concurrency);
    return new Ceiling(
            URI.create(settings.scheme() + "://127.0.0.1:" + port + "/"),
            workload.equals("forward"),
            batch,
            concurrency,
            endpoint)
        .run(settings.records(), settings.keys(), functionsPid, settings.timeout());
  }

  /** The span of live time each p99 of {@link BenchResult#emittedP99ByWindowMillis} covers. */
  static final Duration LATENCY_WINDOW = Duration.ofSeconds(10);

  /**
   * Sends {@code liveRate} records a second, each carrying its send time, and reads the output
   * until each has been committed. The first {@link BenchSettings#liveSettling()} are not measured:
   * the job is still finishing the backlog's last checkpoints then. The {@code liveSeconds} after
   * it give the latencies.
   *
   * @return the records sent, settling included
   */
  private long liveTrickle(String in, OutputCheck committed, OutputCheck emitted) throws Exception {
    if (settings.liveRate() <= 0 || settings.liveSeconds() <= 0) {
      return 0;
    }
    emitted.skipToEnd();
    long settlingNanos = settings.liveSettling().toNanos();
    long total =
        (long) settings.liveRate() * settings.liveSeconds()
            + settings.liveRate() * settlingNanos / 1_000_000_000L;
    long intervalNanos = 1_000_000_000L / settings.liveRate();
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("acks", "1");
    props.put("linger.ms", "0");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      long start = System.nanoTime();
      emitted.measureLatencyOfRecordsSentFrom(start + settlingNanos);
      committed.measureLatencyOfRecordsSentFrom(start + settlingNanos);
      long sent = 0;
      long expected = settings.records() + total;
      long deadline =
          start
              + settlingNanos
              + settings.liveSeconds() * 1_000_000_000L
              + settings.timeout().toNanos();
      while (committed.poll() < expected) {
        long now = System.nanoTime();
        while (sent < total && now - start >= sent * intervalNanos) {
          byte[] key = ("k" + (sent % settings.keys())).getBytes(StandardCharsets.UTF_8);
          byte[] value = ("t" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
          producer.send(new ProducerRecord<>(in, key, value));
          sent++;
        }
        emitted.poll();
        if (now > deadline) {
          throw new IllegalStateException(
              "live records were not all committed within " + settings.timeout());
        }
      }
      return total;
    }
  }

  private String module(int port, String in, String out, boolean forward) {
    return """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: bench/*
          urlPathTemplate: %s://127.0.0.1:%d/{function.name}
          headers:
            %s: %s
          transport:
            call: 2 min
            %s%s
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: bench/in
          address: %s
          consumerGroupId: %s
          startupPosition:
            type: earliest
          topics:
            - topic: %s
              valueType: bench.types/raw
              targets:
                - %s
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: bench/out
          address: %s
          deliverySemantic:
            type: exactly-once
            transactionTimeout: 5 min
        """
        .formatted(
            settings.scheme(),
            port,
            BenchFunctions.OUT_TOPIC_HEADER,
            out,
            settings.http2() ? "protocol: http2" : "pipelining: " + settings.pipelining(),
            tlsTransport(settings),
            bootstrapServers,
            in,
            in,
            forward ? "bench/forward" : "bench/counter",
            bootstrapServers);
  }

  /** The transport keys of mutual TLS with the bench's certificates, or nothing over http. */
  static String tlsTransport(BenchSettings settings) {
    if (settings.tls() == null) {
      return "";
    }
    Path dir = settings.tls().toAbsolutePath();
    return "\n    trust_cacerts: %s\n    client_cert: %s\n    client_key: %s"
        .formatted(dir.resolve("ca.pem"), dir.resolve("client.pem"), dir.resolve("client.key"));
  }

  /**
   * The job of one run: the module on the bench's settings, checkpoints in a directory of its own.
   */
  static StreamGraph jobGraph(
      BenchSettings settings, String suffix, Module module, String jobName) {
    Configuration conf =
        EmbeddedConfiguration.of(
            settings.stateDir().resolve("checkpoints-" + suffix).toAbsolutePath(),
            settings.checkpointInterval(),
            settings.parallelism(),
            "0",
            settings.options());
    StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
    KeyflowTopology.build(env, module, conf);
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(jobName);
    return graph;
  }

  /** Creates new topics of {@code partitions} partitions each, for one run. */
  static void createTopics(String bootstrapServers, int partitions, String... topics)
      throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      List<NewTopic> created = new java.util.ArrayList<>();
      for (String topic : topics) {
        created.add(new NewTopic(topic, partitions, (short) 1));
      }
      admin.createTopics(created).all().get(30, TimeUnit.SECONDS);
    }
  }

  private void prefill(String in) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("acks", "1");
    props.put("linger.ms", "20");
    props.put("batch.size", "262144");
    byte[] value = "x".getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; i < settings.records(); i++) {
        byte[] key = ("k" + (i % settings.keys())).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(in, key, value));
      }
      producer.flush();
    }
  }

  /** What the workloads share. */
  record BenchSettings(
      long records,
      int keys,
      int parallelism,
      Duration checkpointInterval,
      Duration timeout,
      Path stateDir,
      int liveRate,
      int liveSeconds,
      int pipelining,
      Path tls,
      boolean http2,
      Map<String, String> options) {

    /**
     * How long the live trickle runs before its latencies count: three checkpoint intervals, at
     * least two seconds, so that the checkpoints still busy with the backlog's state are behind.
     */
    String scheme() {
      return tls == null ? "http" : "https";
    }

    Duration liveSettling() {
      Duration three = checkpointInterval.multipliedBy(3);
      return three.compareTo(Duration.ofSeconds(2)) < 0 ? Duration.ofSeconds(2) : three;
    }

    /** These settings with {@code otherKeys} distinct keys. */
    BenchSettings withKeys(int otherKeys) {
      return new BenchSettings(
          records,
          otherKeys,
          parallelism,
          checkpointInterval,
          timeout,
          stateDir,
          liveRate,
          liveSeconds,
          pipelining,
          tls,
          http2,
          options);
    }

    /**
     * These settings for a warm-up of {@code warmupRecords}, with the same live trickle: a trickle
     * makes code hot that a backlog runs rarely (the Kafka clients' per-request code above all),
     * and compiling it takes half a core for many seconds on a small machine.
     */
    BenchSettings forWarmUp(long warmupRecords) {
      return new BenchSettings(
          warmupRecords,
          keys,
          parallelism,
          checkpointInterval,
          timeout,
          stateDir,
          liveRate,
          liveSeconds,
          pipelining,
          tls,
          http2,
          options);
    }
  }
}
