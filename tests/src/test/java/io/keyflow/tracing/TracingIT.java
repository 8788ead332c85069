package io.keyflow.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.functions.FunctionServer;
import io.keyflow.functions.Reply;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.io.gateway.GatewaySpec;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.testing.KafkaBroker;
import io.keyflow.testing.KeyflowTestJob;
import io.keyflow.testing.OtlpReceiver;
import io.keyflow.testing.OtlpReceiver.ReceivedSpan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.apache.flink.statefun.sdk.java.types.SimpleType;
import org.apache.flink.statefun.sdk.java.types.Type;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace per message path, as a collector sees it: a Keyflow job on a MiniCluster with tracing
 * on exports to a real OTLP/HTTP receiver; a gateway call and a Kafka record go through two SDK
 * functions ({@code tr/first} sends to {@code tr/second}, which writes to a Kafka egress), and the
 * spans of both functions form one trace under the caller's context.
 */
@ExtendWith(KafkaBroker.class)
class TracingIT {
  @RegisterExtension static final MiniClusterExtension FLINK = KeyflowTestJob.miniCluster(2);

  private static final Type<String> TEXT =
      SimpleType.simpleImmutableTypeFrom(
          TypeName.typeNameOf("tr.types", "text"),
          s -> s.getBytes(StandardCharsets.UTF_8),
          b -> new String(b, StandardCharsets.UTF_8));
  private static final TypeName SECOND = TypeName.typeNameOf("tr", "second");
  private static final TypeName OUT = TypeName.typeNameOf("tr", "out");
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final int CLIENT = 3;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir static Path checkpoints;

  private static OtlpReceiver receiver;
  private static FunctionServer functions;
  private static JobClient job;
  private static Gateway gateway;
  private static String inTopic;
  private static String outTopic;

  @BeforeAll
  static void start() throws Exception {
    String suffix = Long.toString(System.nanoTime());
    inTopic = "tr-in-" + suffix;
    outTopic = "tr-out-" + suffix;
    String requestTopic = "tr-calls-" + suffix;
    String replyTopic = "tr-replies-" + suffix;
    for (String topic : List.of(inTopic, outTopic, requestTopic, replyTopic)) {
      KafkaBroker.createTopic(topic, 2);
    }
    receiver = OtlpReceiver.start();
    functions = FunctionServer.start(functions(outTopic), "127.0.0.1", 0);
    String yaml =
        """
        kind: io.statefun.endpoints.v2/http
        spec:
          functions: tr/*
          urlPathTemplate: %s/{function.name}
        ---
        kind: io.statefun.kafka.v1/ingress
        spec:
          id: tr/in
          address: %s
          consumerGroupId: tracing-%s
          topics:
            - topic: %s
              valueType: tr.types/text
              targets:
                - tr/first
        ---
        kind: io.statefun.kafka.v1/egress
        spec:
          id: tr/out
          address: %s
          deliverySemantic:
            type: at-least-once
        ---
        kind: io.keyflow.gateway.v1/http
        spec:
          id: tr/gateway
          address: %s
          listen: 127.0.0.1:0
          requestTopic: %s
          replyTopic: %s
          functions: [tr/first]
        """
            .formatted(
                functions.baseUrl(),
                KafkaBroker.bootstrapServers(),
                suffix,
                inTopic,
                KafkaBroker.bootstrapServers(),
                KafkaBroker.bootstrapServers(),
                requestTopic,
                replyTopic);
    Configuration conf = KeyflowTestJob.configuration(checkpoints, 2, Duration.ofMillis(500));
    conf.set(TracingOptions.ENDPOINT, receiver.endpoint());
    conf.set(TracingOptions.SAMPLING_RATIO, 1.0);
    job = KeyflowTestJob.start(conf, yaml, List.of(), List.of());
    Module module = ModuleLoader.parse("module.yaml", yaml);
    GatewaySpec spec = Gateway.declaredIn(module).orElseThrow();
    gateway = Gateway.start(spec, module, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (job != null) {
      KeyflowTestJob.cancel(job);
    }
    if (functions != null) {
      functions.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void aGatewayCallThroughTwoFunctionsIsOneTraceUnderTheCallersContext() throws Exception {
    String traceId = randomHex(16);
    String callerSpan = randomHex(8);
    HttpResponse<String> reply =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(gateway.baseUrl() + "/v1/functions/tr/first/g-1?wait=60s"))
                .header("X-Keyflow-Type", "tr.types/text")
                .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("hello"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("first got hello");

    List<ReceivedSpan> trace = awaitSpans(traceId, 6);

    ReceivedSpan firstQueue = named(trace, "queue tr/first");
    ReceivedSpan firstCall = named(trace, "call tr/first");
    ReceivedSpan firstApply = named(trace, "apply tr/first");
    ReceivedSpan secondQueue = named(trace, "queue tr/second");
    ReceivedSpan secondCall = named(trace, "call tr/second");
    ReceivedSpan secondApply = named(trace, "apply tr/second");
    assertThat(firstQueue.parentSpanId()).isEqualTo(callerSpan);
    assertThat(firstCall.parentSpanId()).isEqualTo(callerSpan);
    assertThat(firstCall.kind()).isEqualTo(CLIENT);
    assertThat(firstApply.parentSpanId()).isEqualTo(firstCall.spanId());
    assertThat(secondQueue.parentSpanId()).isEqualTo(firstApply.spanId());
    assertThat(secondCall.parentSpanId()).isEqualTo(firstApply.spanId());
    assertThat(secondApply.parentSpanId()).isEqualTo(secondCall.spanId());
    assertThat(receiver.contentTypes()).allMatch(type -> type.startsWith("application/x-protobuf"));

    ConsumerRecord<byte[], byte[]> out = awaitOutput("g-1");
    assertThat(header(out, "traceparent"))
        .isEqualTo("00-" + traceId + "-" + secondApply.spanId() + "-01");
  }

  @Test
  void aGatewayCallWithoutContextStartsOneTraceThroughBothFunctions() throws Exception {
    HttpResponse<String> reply =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(gateway.baseUrl() + "/v1/functions/tr/first/g-2?wait=60s"))
                .header("X-Keyflow-Type", "tr.types/text")
                .timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString("anew"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);

    String traceId = header(awaitOutput("g-2"), "traceparent").split("-")[1];
    List<ReceivedSpan> trace = awaitSpans(traceId, 6);

    ReceivedSpan root = named(trace, "queue tr/first");
    assertThat(root.parentSpanId()).isEmpty();
    assertThat(named(trace, "call tr/first").parentSpanId()).isEqualTo(root.spanId());
    assertThat(named(trace, "call tr/second").parentSpanId())
        .isEqualTo(named(trace, "apply tr/first").spanId());
  }

  @Test
  void aKafkaRecordWithATraceparentContinuesItsTrace() throws Exception {
    String traceId = randomHex(16);
    String producerSpan = randomHex(8);
    produce("k-1", "from kafka", "00-" + traceId + "-" + producerSpan + "-01");

    List<ReceivedSpan> trace = awaitSpans(traceId, 6);

    ReceivedSpan firstCall = named(trace, "call tr/first");
    assertThat(firstCall.parentSpanId()).isEqualTo(producerSpan);
    assertThat(named(trace, "queue tr/first").parentSpanId()).isEqualTo(producerSpan);
    assertThat(named(trace, "call tr/second").parentSpanId())
        .isEqualTo(named(trace, "apply tr/first").spanId());
  }

  @Test
  void aKafkaRecordWithAMalformedTraceparentIsDeliveredInATraceOfItsOwn() throws Exception {
    produce("k-2", "bad header", "00-not-a-trace-01");

    ConsumerRecord<byte[], byte[]> out = awaitOutput("k-2");

    assertThat(new String(out.value(), StandardCharsets.UTF_8)).isEqualTo("second got bad header");
    String traceId = header(out, "traceparent").split("-")[1];
    assertThat(traceId).hasSize(32).isNotEqualTo("00000000000000000000000000000000");
  }

  private static StatefulFunctions functions(String outTopic) {
    StatefulFunctionSpec first =
        StatefulFunctionSpec.builder(TypeName.typeNameOf("tr", "first"))
            .withSupplier(
                () ->
                    (context, message) -> {
                      String text = message.as(TEXT);
                      context.send(
                          MessageBuilder.forAddress(SECOND, context.self().id())
                              .withCustomType(TEXT, text)
                              .build());
                      Reply.to(context, TEXT, "first got " + text);
                      return context.done();
                    })
            .build();
    StatefulFunctionSpec second =
        StatefulFunctionSpec.builder(SECOND)
            .withSupplier(
                () ->
                    (context, message) -> {
                      context.send(
                          KafkaEgressMessage.forEgress(OUT)
                              .withTopic(outTopic)
                              .withUtf8Key(context.self().id())
                              .withUtf8Value("second got " + message.as(TEXT))
                              .build());
                      return context.done();
                    })
            .build();
    return new StatefulFunctions().withStatefulFunction(first).withStatefulFunction(second);
  }

  private static List<ReceivedSpan> awaitSpans(String traceId, int count) throws Exception {
    KeyflowTestJob.awaitWhileRunning(
        job,
        WAIT,
        new KeyflowTestJob.Check() {
          @Override
          public boolean done() {
            return receiver.trace(traceId).size() >= count;
          }

          @Override
          public String toString() {
            return "spans of trace " + traceId + ": " + receiver.trace(traceId);
          }
        });
    return receiver.trace(traceId);
  }

  private static ReceivedSpan named(List<ReceivedSpan> trace, String name) {
    List<ReceivedSpan> found = trace.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(found).as("spans named %s in %s", name, trace).hasSize(1);
    return found.get(0);
  }

  private static void produce(String key, String value, String traceparent) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", KafkaBroker.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>(
              inTopic,
              key.getBytes(StandardCharsets.UTF_8),
              value.getBytes(StandardCharsets.UTF_8));
      record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
      producer.send(record).get();
    }
  }

  /** The first record with {@code key} on the egress topic, awaited with a bound. */
  private static ConsumerRecord<byte[], byte[]> awaitOutput(String key) {
    Properties props = new Properties();
    props.put("bootstrap.servers", KafkaBroker.bootstrapServers());
    props.put("auto.offset.reset", "earliest");
    props.put("group.id", "tracing-out-" + System.nanoTime());
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(outTopic));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(new String(record.key(), StandardCharsets.UTF_8))) {
            return record;
          }
        }
      }
    }
    throw new AssertionError("no record with key " + key + " on " + outTopic + " within " + WAIT);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s of the record with key %s", name, record.key()).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    random[0] |= 1;
    return java.util.HexFormat.of().formatHex(random);
  }
}
