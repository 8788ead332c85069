package io.keyflow.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.io.Egress;
import io.keyflow.io.Ingress;
import io.keyflow.io.StartCheck;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

class KeyflowTopologyTest {
  private static final String ENDPOINTS_YAML =
      """
      kind: io.statefun.endpoints.v2/http
      spec:
        functions: shop/*
        urlPathTemplate: http://127.0.0.1:8000/{function.name}
      """;
  private static final Module ENDPOINTS = ModuleLoader.parse("module.yaml", ENDPOINTS_YAML);

  private record ListIngress(TypeName id) implements Ingress {
    @Override
    public DataStream<Envelope> createStream(StreamExecutionEnvironment env, String uidPrefix) {
      return env.fromData(ProtobufTypeInfo.ENVELOPE, Envelope.getDefaultInstance())
          .uid(uidPrefix + "-source");
    }
  }

  /** An ingress that refuses to start, as a Kafka ingress does when its topic does not exist. */
  private record RefusingIngress(TypeName id) implements Ingress {
    @Override
    public List<StartCheck> startChecks() {
      StartCheck.Batch refuses =
          checks -> {
            throw new IllegalStateException("ingress " + id + " reads a topic that does not exist");
          };
      StartCheck refusing = () -> refuses;
      return List.of(refusing);
    }

    @Override
    public DataStream<Envelope> createStream(StreamExecutionEnvironment env, String uidPrefix) {
      throw new AssertionError("the job was built although " + id + " refused to start");
    }
  }

  /** A batch that keeps the checks it is handed, call by call. */
  private static final class RecordingBatch implements StartCheck.Batch {
    final List<List<StartCheck>> calls = new ArrayList<>();

    @Override
    public void check(List<StartCheck> checks) {
      calls.add(checks);
    }
  }

  private record NamedCheck(String name, StartCheck.Batch batch) implements StartCheck {}

  private record CheckedIngress(TypeName id, List<StartCheck> startChecks) implements Ingress {
    @Override
    public DataStream<Envelope> createStream(StreamExecutionEnvironment env, String uidPrefix) {
      throw new AssertionError("only checked");
    }
  }

  private record CheckedEgress(TypeName id, List<StartCheck> startChecks) implements Egress {
    @Override
    public void attach(DataStream<TypedValue> records, String uidPrefix) {
      throw new AssertionError("only checked");
    }
  }

  private record DiscardEgress(TypeName id) implements Egress {
    @Override
    public void attach(DataStream<TypedValue> records, String uidPrefix) {
      records.sinkTo(new DiscardingSink<>()).uid(uidPrefix + "-sink");
    }
  }

  private static Module module(List<Ingress> ingresses, List<Egress> egresses) {
    return new Module(
        ENDPOINTS.source(), ENDPOINTS.endpoints(), List.copyOf(ingresses), List.copyOf(egresses));
  }

  /** The shop's endpoints and one ingress, {@code shop/in}. */
  private static Module withOneIngress() {
    return module(List.of(new ListIngress(TypeName.parse("shop/in"))), List.of());
  }

  /** The shop's endpoints and a schedule (the YAML spec of an io.keyflow.schedule.v1). */
  private static Module withSchedule(String scheduleSpec) {
    return ModuleLoader.parse(
        "module.yaml",
        ENDPOINTS_YAML + "---\nkind: io.keyflow.schedule.v1\nspec: " + scheduleSpec + "\n");
  }

  /**
   * Builds the job of {@code module} with default settings and returns its stream graph's nodes.
   */
  private static List<StreamNode> nodesOf(Module module) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    KeyflowTopology.build(env, module, new Configuration());
    return List.copyOf(env.getStreamGraph().getStreamNodes());
  }

  /** The nodes that carry a transformation UID, by UID. */
  private static Map<String, StreamNode> byUid(List<StreamNode> nodes) {
    Map<String, StreamNode> byUid = new HashMap<>();
    for (StreamNode node : nodes) {
      if (node.getTransformationUID() != null) {
        byUid.put(node.getTransformationUID(), node);
      }
    }
    return byUid;
  }

  @Test
  void operatorsCarryTheirFixedUids() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    KeyflowTopology.build(
        env,
        module(
            List.of(new ListIngress(TypeName.parse("shop/in"))),
            List.of(new DiscardEgress(TypeName.parse("shop/out")))),
        new Configuration());

    List<String> uids =
        env.getStreamGraph().getStreamNodes().stream()
            .map(StreamNode::getTransformationUID)
            .toList();
    assertThat(uids)
        .contains(
            "keyflow-feedback-head",
            "keyflow-dispatcher",
            "keyflow-feedback-tail",
            "keyflow-ingress-shop-in-source",
            "keyflow-egress-shop-out-sink");
    assertThat(env.getMaxParallelism()).isEqualTo(128);
  }

  @Test
  void headDispatcherAndTailShareACoLocationGroup() {
    List<StreamNode> loop =
        nodesOf(withOneIngress()).stream()
            .filter(n -> n.getTransformationUID() != null)
            .filter(
                n ->
                    n.getTransformationUID().startsWith("keyflow-feedback")
                        || n.getTransformationUID().equals("keyflow-dispatcher"))
            .toList();
    assertThat(loop).hasSize(3);
    assertThat(loop)
        .allSatisfy(n -> assertThat(n.getCoLocationGroup()).isEqualTo("keyflow-feedback"));
  }

  @Test
  void onlyTheDispatcherIsKeyed() {
    Map<String, StreamNode> byUid = byUid(nodesOf(withOneIngress()));

    // A keyed operator gets a keyed state backend (a RocksDB database) that checkpoints every
    // time; the head writes its log into the dispatcher's raw keyed state and the tail keeps no
    // state, so neither must have one.
    assertThat(byUid.get("keyflow-feedback-head").getStatePartitioners()).isEmpty();
    assertThat(byUid.get("keyflow-dispatcher").getStatePartitioners()).isNotEmpty();
    assertThat(byUid.get("keyflow-feedback-tail").getStatePartitioners()).isEmpty();
  }

  @Test
  void theHeadIsChainedToTheDispatcherThatHostsItsLog() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    KeyflowTopology.build(env, withOneIngress(), new Configuration());

    // The head hands its log to the dispatcher in the same task; a network edge would break it.
    assertThat(env.getStreamGraph().getJobGraph().getVertices())
        .anySatisfy(
            vertex ->
                assertThat(vertex.getName()).contains("feedback-union").contains("functions"));
  }

  @Test
  void aModuleWithoutIngressAndWithoutScheduleIsRefused() {
    assertThatThrownBy(() -> nodesOf(module(List.of(), List.of())))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("declares no ingress and no schedule");
  }

  @Test
  void anIngressThatRefusesToStartStopsTheJobBeforeItIsBuiltAndBeforeItIsSubmitted() {
    Module module = module(List.of(new RefusingIngress(TypeName.parse("shop/in"))), List.of());

    assertThatThrownBy(() -> nodesOf(module))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ingress shop/in reads a topic that does not exist");
    assertThatThrownBy(() -> KeyflowTopology.checkBeforeStart(module))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ingress shop/in reads a topic that does not exist");
  }

  @Test
  void theChecksOfEveryComponentThatShareABatchReachItInOneCall() {
    RecordingBatch kafka = new RecordingBatch();
    RecordingBatch elsewhere = new RecordingBatch();
    StartCheck orders = new NamedCheck("orders", kafka);
    StartCheck calls = new NamedCheck("calls", kafka);
    StartCheck database = new NamedCheck("database", elsewhere);
    StartCheck stock = new NamedCheck("stock", kafka);
    Module module =
        module(
            List.of(
                new CheckedIngress(TypeName.parse("shop/orders"), List.of(orders)),
                new CheckedIngress(TypeName.parse("shop/calls"), List.of(calls, database))),
            List.of(new CheckedEgress(TypeName.parse("shop/stock"), List.of(stock))));

    KeyflowTopology.checkBeforeStart(module);

    assertThat(kafka.calls).containsExactly(List.of(orders, calls, stock));
    assertThat(elsewhere.calls).containsExactly(List.of(database));
  }

  @Test
  void unalignedCheckpointsStopTheBuild() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Configuration conf = new Configuration();
    conf.setString("execution.checkpointing.unaligned.enabled", "true");

    assertThatThrownBy(() -> KeyflowTopology.build(env, withOneIngress(), conf))
        .isInstanceOf(JobConfigurationException.class);
  }

  @Test
  void aScheduleAtATypeNoEndpointServesStopsTheJob() {
    Module withSchedule = withSchedule("{id: nightly, target: billing/invoices/all, every: 1d}");
    Module module =
        new Module(
            withSchedule.source(),
            withSchedule.endpoints(),
            List.of(new ListIngress(TypeName.parse("shop/in"))),
            List.of(),
            withSchedule.schedules());

    assertThatThrownBy(() -> nodesOf(module))
        .isInstanceOf(JobConfigurationException.class)
        .hasMessageContaining("schedule nightly fires at billing/invoices")
        .hasMessageContaining("no endpoint serves")
        .hasMessageContaining("[shop/*]");
  }

  @Test
  void aModuleOfSchedulesOnlyGetsAnInputThatNeverEndsUnderItsFixedUid() {
    StreamNode input =
        byUid(nodesOf(withSchedule("{id: nightly, target: shop/report/all, every: 1d}")))
            .get("keyflow-no-ingress");

    assertThat(input).isNotNull();
    assertThat(input.getParallelism()).isEqualTo(1);
    assertThat(input.getOperatorFactory())
        .isInstanceOfSatisfying(
            org.apache.flink.streaming.api.operators.SourceOperatorFactory.class,
            f ->
                assertThat(f.getBoundedness())
                    .isEqualTo(
                        org.apache.flink.api.connector.source.Boundedness.CONTINUOUS_UNBOUNDED));
    assertThat(input.getOutEdges()).hasSize(1);
  }
}
