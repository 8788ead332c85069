package io.keyflow.testkit.junit;

import io.keyflow.io.Ingress;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.internal.Envelope;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The kit's own ingress: it carries no messages, only a task that reports attempts and completed
 * checkpoints to the test's {@link JobControl} and fails when the test asks, which restarts the job
 * from its last checkpoint as any task failure does.
 */
record ControlIngress(String run) implements Ingress {
  private static final long serialVersionUID = 1L;

  static final TypeName ID = new TypeName("keyflow.testkit", "control");

  @Override
  public TypeName id() {
    return ID;
  }

  @Override
  public DataStream<Envelope> createStream(StreamExecutionEnvironment env, String uidPrefix) {
    return env.fromSource(
            new DataGeneratorSource<>(
                i -> i, Long.MAX_VALUE, RateLimiterStrategy.perSecond(20), Types.LONG),
            WatermarkStrategy.noWatermarks(),
            "keyflow testkit control")
        .uid(uidPrefix + "-ticks")
        .setParallelism(1)
        .flatMap(new ControlTask(run), ProtobufTypeInfo.ENVELOPE)
        .uid(uidPrefix + "-control")
        .setParallelism(1);
  }

  /** Reports to the test and fails on request; passes nothing on. */
  static final class ControlTask extends RichFlatMapFunction<Long, Envelope>
      implements CheckpointListener {
    private static final long serialVersionUID = 1L;

    private final String run;
    private transient int attempt;

    ControlTask(String run) {
      this.run = run;
    }

    @Override
    public void open(OpenContext context) {
      attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
      JobControl.get(run).started(attempt);
    }

    @Override
    public void flatMap(Long tick, Collector<Envelope> out) {
      if (JobControl.get(run).shouldFail(attempt)) {
        throw new InjectedFailure(attempt);
      }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
      JobControl.get(run).checkpointed(checkpointId);
    }
  }

  /** The failure a test asked for; the job restarts from its last checkpoint. */
  static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFailure(int attempt) {
      super("failure injected by the test kit into attempt " + attempt);
    }
  }
}
