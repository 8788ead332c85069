package io.keyflow.testing;

import io.keyflow.functions.FunctionServer;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;

/**
 * What an exactly-once test class starts once and shares between its tests: an output topic on the
 * shared test broker, a {@code read_committed} reader following it from its beginning, and a
 * function server whose SDK functions write to that topic. Start it in {@code @BeforeAll} of a
 * class extended with {@link KafkaBroker}; close it in {@code @AfterAll}.
 *
 * <pre>{@code
 * fixture = ExactlyOnceFixture.start("out", out -> TestFunctions.of(
 *     TestFunctions.kafkaCounter("ns", "counter", EGRESS, out, null)));
 * }</pre>
 */
public final class ExactlyOnceFixture implements AutoCloseable {
  private final String outTopic;
  private final CommittedTopicReader output;
  private final FunctionServer server;

  private ExactlyOnceFixture(String outTopic, CommittedTopicReader output, FunctionServer server) {
    this.outTopic = outTopic;
    this.output = output;
    this.server = server;
  }

  /**
   * Creates the output topic ({@code topicPrefix-<random>}, two partitions), follows it, and serves
   * the functions built for it.
   *
   * @param functions the functions, given the output topic's name
   */
  public static ExactlyOnceFixture start(
      String topicPrefix, Function<String, StatefulFunctions> functions) throws Exception {
    String topic = topicPrefix + "-" + UUID.randomUUID();
    KafkaBroker.createTopic(topic, 2);
    CommittedTopicReader output = new CommittedTopicReader(topic);
    try {
      return new ExactlyOnceFixture(
          topic, output, FunctionServer.start(functions.apply(topic), "127.0.0.1", 0));
    } catch (RuntimeException e) {
      output.close();
      throw e;
    }
  }

  /** The topic the functions write to. */
  public String outTopic() {
    return outTopic;
  }

  /** The reader following {@link #outTopic()}. */
  public CommittedTopicReader output() {
    return output;
  }

  /** The committed output values that start with one of {@code prefixes}. */
  public List<String> values(String... prefixes) {
    return output.values(prefixes);
  }

  /** The function server's base URL, for a module's {@code urlPathTemplate}. */
  public String functionsUrl() {
    return server.baseUrl();
  }

  @Override
  public void close() {
    output.close();
    server.close();
  }
}
