package io.keyflow.testing;

import io.keyflow.io.Ingress;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.internal.Envelope;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A bounded ingress for tests: message {@code i} (0 ≤ i < count) is {@code generator(i)}, so a
 * replay after a restore produces exactly the same messages. Optionally rate-limited, and with a
 * {@link FailureInjector} that fails the task according to a plan.
 */
public record GeneratedIngress(
    TypeName id,
    long count,
    double recordsPerSecond,
    int parallelism,
    GeneratorFunction<Long, Envelope> generator,
    String failurePlan,
    boolean linger)
    implements Ingress {

  /** An unthrottled ingress at the job's parallelism, without injected failures. */
  public static GeneratedIngress of(long count, GeneratorFunction<Long, Envelope> generator) {
    return new GeneratedIngress(
        TypeName.parse("keyflow.test/generated"), count, 0, 0, generator, null, false);
  }

  public GeneratedIngress throttled(double perSecond) {
    return new GeneratedIngress(id, count, perSecond, parallelism, generator, failurePlan, linger);
  }

  public GeneratedIngress withParallelism(int p) {
    return new GeneratedIngress(id, count, recordsPerSecond, p, generator, failurePlan, linger);
  }

  /** Fails the task as the named {@link FailurePlan} says. */
  public GeneratedIngress failing(String plan) {
    return new GeneratedIngress(id, count, recordsPerSecond, parallelism, generator, plan, linger);
  }

  /**
   * Keeps the job running after the last message: a ticker source (ten ticks a second, dropped
   * after the failure injector) stays alive until the test cancels the job. Jobs whose functions
   * message each other are unbounded by nature; tests await the outcome, then cancel.
   */
  public GeneratedIngress lingering() {
    return new GeneratedIngress(
        id, count, recordsPerSecond, parallelism, generator, failurePlan, true);
  }

  @Override
  public DataStream<Envelope> createStream(StreamExecutionEnvironment env, String uidPrefix) {
    RateLimiterStrategy<?> rate =
        recordsPerSecond > 0
            ? RateLimiterStrategy.perSecond(recordsPerSecond)
            : RateLimiterStrategy.noOp();
    DataStream<Envelope> messages;
    if (count > 0) {
      SingleOutputStreamOperator<Envelope> stream =
          env.fromSource(
                  new DataGeneratorSource<>(generator, count, rate, ProtobufTypeInfo.ENVELOPE),
                  WatermarkStrategy.noWatermarks(),
                  "generated " + id)
              .uid(uidPrefix + "-source");
      if (parallelism > 0) {
        stream.setParallelism(parallelism);
      }
      messages = stream;
    } else if (linger) {
      messages = null;
    } else {
      throw new IllegalArgumentException("an ingress without messages must linger");
    }
    if (linger) {
      DataStream<Envelope> ticks =
          env.fromSource(
                  new DataGeneratorSource<>(
                      i -> TICK,
                      1_000_000_000L,
                      RateLimiterStrategy.perSecond(10),
                      ProtobufTypeInfo.ENVELOPE),
                  WatermarkStrategy.noWatermarks(),
                  "ticks")
              .uid(uidPrefix + "-ticks")
              .setParallelism(1);
      messages = messages == null ? ticks : messages.union(ticks);
    }
    if (failurePlan != null) {
      messages =
          messages
              .map(new FailureInjector(failurePlan), ProtobufTypeInfo.ENVELOPE)
              .uid(uidPrefix + "-failures");
    }
    if (linger) {
      messages = messages.filter(envelope -> envelope.hasTarget()).uid(uidPrefix + "-no-ticks");
    }
    return messages;
  }

  private static final Envelope TICK = Envelope.getDefaultInstance();
}
