package io.keyflow.job;

import io.keyflow.dispatch.DispatcherOperatorFactory;
import io.keyflow.feedback.FeedbackOperatorFactory;
import io.keyflow.io.Egress;
import io.keyflow.io.Ingress;
import io.keyflow.io.StartCheck;
import io.keyflow.module.EgressComponent;
import io.keyflow.module.IngressComponent;
import io.keyflow.module.Module;
import io.keyflow.module.ScheduleComponent;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.schedule.ScheduleSpec;
import io.keyflow.tracing.TracingSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Keyflow dataflow from a module:
 *
 * <pre>
 *   ingress sources (or, for a module of schedules only, an input that never emits)
 *       --union--> by target key group --> feedback-union (head, not keyed)
 *       --forward--> functions (dispatcher) --side outputs--> egress sinks
 *       --by target key group--> feedback (tail) ~~in-JVM channel~~> head of the same subtask
 * </pre>
 */
public final class KeyflowTopology {
  private static final Logger LOG = LoggerFactory.getLogger(KeyflowTopology.class);

  private KeyflowTopology() {}

  /**
   * Asks, once before a job of {@code module} starts, whether what its ingresses and egresses need
   * outside the job is there ({@link Ingress#startChecks()}, {@link Egress#startChecks()}), such as
   * the Kafka topics they read or declare. The checks of all components go to their batches
   * together ({@link StartCheck#runAll}), so that a Kafka cluster is asked once for the topics of
   * every component that reaches it. {@link #build} does this; {@code keyflow submit} does it too,
   * before it uploads anything. Components without a Flink implementation are left to {@link
   * #build}.
   *
   * @throws RuntimeException a refusal naming where module.yaml declares what is missing and the
   *     fix
   */
  public static void checkBeforeStart(Module module) {
    List<StartCheck> checks = new ArrayList<>();
    for (IngressComponent component : module.ingresses()) {
      if (component instanceof Ingress ingress) {
        checks.addAll(ingress.startChecks());
      }
    }
    for (EgressComponent component : module.egresses()) {
      if (component instanceof Egress egress) {
        checks.addAll(egress.startChecks());
      }
    }
    StartCheck.runAll(checks);
  }

  /**
   * Adds the module's dataflow to {@code env}, after checking that {@code conf} keeps effects
   * exactly-once and that each ingress and egress finds what it needs to start ({@link
   * #checkBeforeStart(Module)}).
   *
   * @throws JobConfigurationException if the configuration or module cannot run correctly
   */
  public static void build(StreamExecutionEnvironment env, Module module, Configuration conf) {
    List<Ingress> ingresses = new ArrayList<>();
    for (IngressComponent component : module.ingresses()) {
      if (!(component instanceof Ingress ingress)) {
        throw new JobConfigurationException(
            "ingress " + component.id() + " has no Flink source implementation");
      }
      ingresses.add(ingress);
    }
    List<Egress> egresses = new ArrayList<>();
    for (EgressComponent component : module.egresses()) {
      if (!(component instanceof Egress egress)) {
        throw new JobConfigurationException(
            "egress " + component.id() + " has no Flink sink implementation");
      }
      egresses.add(egress);
    }
    if (ingresses.isEmpty() && module.schedules().isEmpty()) {
      throw new JobConfigurationException(
          module.source()
              + " declares no ingress and no schedule, so no message would ever reach a function;"
              + " add an ingress document such as io.statefun.kafka.v1/ingress, or an"
              + " io.keyflow.schedule.v1 schedule");
    }
    checkSchedules(module);
    ExactlyOnceGuard.check(conf, egresses);
    // Last, since it may ask outside systems: a module that cannot run is refused without them.
    checkBeforeStart(module);
    if (conf.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isEmpty()) {
      LOG.warn(
          "Checkpointing is off ({} is not set): function state is lost when the job fails."
              + " Set it for fault tolerance.",
          CheckpointingOptions.CHECKPOINTING_INTERVAL.key());
    }
    if (conf.getOptional(PipelineOptions.MAX_PARALLELISM).isEmpty()) {
      env.setMaxParallelism(conf.get(KeyflowOptions.DEFAULT_MAX_PARALLELISM));
    }
    // The key groups that keyBy and keyed state use; the feedback tail routes by them too.
    int maxParallelism =
        env.getMaxParallelism() > 0
            ? env.getMaxParallelism()
            : conf.get(PipelineOptions.MAX_PARALLELISM);

    DataStream<Envelope> input = null;
    if (ingresses.isEmpty()) {
      // Schedules only: the loop still needs an input, one that stays open and never emits.
      input =
          env.fromSource(
                  new NoIngressInput(),
                  WatermarkStrategy.noWatermarks(),
                  OperatorIds.NO_INGRESS_NAME,
                  ProtobufTypeInfo.ENVELOPE)
              .uid(OperatorIds.NO_INGRESS_UID)
              .setParallelism(1);
    }
    for (Ingress ingress : ingresses) {
      DataStream<Envelope> stream = ingress.createStream(env, OperatorIds.ingress(ingress.id()));
      input = input == null ? stream : input.union(stream);
    }

    Map<TypeName, OutputTag<TypedValue>> tags = new LinkedHashMap<>();
    for (Egress egress : egresses) {
      tags.put(egress.id(), new OutputTag<>("egress-" + egress.id(), ProtobufTypeInfo.TYPED_VALUE));
    }
    long feedbackMemory = conf.get(KeyflowOptions.FEEDBACK_MEMORY).getBytes();
    KeySelector<Envelope, String> byTarget = envelope -> envelope.getTarget().getId();
    // Routed like keyBy, but the head is not keyed: its only state is the loop's log, which it
    // writes into the raw keyed state of the dispatcher chained after it (FeedbackLogHost). A
    // keyed head would have a RocksDB database of its own, empty, whose native checkpoint runs on
    // the task thread at every checkpoint.
    SingleOutputStreamOperator<Envelope> head =
        input
            .partitionCustom(new KeyGroupPartitioner(maxParallelism), byTarget)
            .transform(
                OperatorIds.HEAD_NAME,
                ProtobufTypeInfo.ENVELOPE,
                FeedbackOperatorFactory.head(feedbackMemory))
            .uid(OperatorIds.HEAD_UID);
    SingleOutputStreamOperator<Envelope> functions =
        DataStreamUtils.reinterpretAsKeyedStream(head, byTarget, Types.STRING)
            .transform(
                OperatorIds.DISPATCHER_NAME,
                ProtobufTypeInfo.ENVELOPE,
                DispatcherOperatorFactory.create(
                    module, tags, conf.get(KeyflowOptions.MAX_OUTSTANDING_REQUESTS), tracing(conf)))
            .uid(OperatorIds.DISPATCHER_UID);
    // Routed like keyBy, but the tail is not keyed: it keeps no state, and a keyed tail would
    // take a RocksDB checkpoint of an empty database at every checkpoint (KeyGroupPartitioner).
    SingleOutputStreamOperator<Void> tail =
        functions
            .partitionCustom(new KeyGroupPartitioner(maxParallelism), byTarget)
            .transform(
                OperatorIds.TAIL_NAME, Types.VOID, FeedbackOperatorFactory.tail(feedbackMemory))
            .uid(OperatorIds.TAIL_UID);
    head.getTransformation().setCoLocationGroupKey(OperatorIds.FEEDBACK_COLOCATION);
    functions.getTransformation().setCoLocationGroupKey(OperatorIds.FEEDBACK_COLOCATION);
    tail.getTransformation().setCoLocationGroupKey(OperatorIds.FEEDBACK_COLOCATION);

    for (Egress egress : egresses) {
      egress.attach(
          functions.getSideOutput(tags.get(egress.id())), OperatorIds.egress(egress.id()));
    }
  }

  /** The tracing settings in {@code conf}; a bad one stops the job before it starts. */
  private static TracingSettings tracing(Configuration conf) {
    try {
      return TracingSettings.from(conf);
    } catch (IllegalArgumentException e) {
      throw new JobConfigurationException(e.getMessage());
    }
  }

  /** Every static schedule must fire at a function type that some endpoint serves. */
  private static void checkSchedules(Module module) {
    for (ScheduleComponent component : module.schedules()) {
      if (!(component instanceof ScheduleSpec schedule)) {
        throw new JobConfigurationException(
            "schedule " + component.id() + " has no Keyflow implementation");
      }
      if (module.endpointFor(schedule.targetType()).isEmpty()) {
        throw new JobConfigurationException(
            module.source()
                + ": schedule "
                + schedule.id()
                + " fires at "
                + schedule.targetType()
                + ", which no endpoint serves; bound: "
                + module.endpoints().stream().map(e -> e.functions().toString()).toList()
                + ". Add an io.statefun.endpoints.v2/http document for it, or fix the target.");
      }
    }
  }
}
