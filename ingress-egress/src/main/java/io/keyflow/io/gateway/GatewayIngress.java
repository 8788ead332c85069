package io.keyflow.io.gateway;

import io.keyflow.io.Ingress;
import io.keyflow.io.StartCheck;
import io.keyflow.io.kafka.DeclaredTopics;
import io.keyflow.io.kafka.TopicsDeclaration;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.gateway.GatewayRequest;
import io.keyflow.protocol.internal.Envelope;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The calls a gateway accepted, read from its request topic: each becomes a message to its target
 * whose caller is {@code keyflow/reply:<invocation id>}. A call made with an Idempotency-Key passes
 * once within the gateway's idempotency window, however often it was written and whatever body the
 * later ones carry.
 *
 * @param spec the gateway
 * @param file the module.yaml file that declares the gateway, as module.yaml errors name it
 * @param document the gateway's document in it, 1-based
 */
record GatewayIngress(GatewaySpec spec, String file, int document) implements Ingress {

  @Override
  public TypeName id() {
    return spec.id();
  }

  /**
   * The request topic, which must exist when the job starts: the source's partition discovery would
   * fail on it, and the job would restart until it is created. A Kafka that does not answer within
   * a few seconds is only warned about.
   */
  @Override
  public List<StartCheck> startChecks() {
    return List.of(requestTopic());
  }

  /** The topic the calls arrive on, which must exist before the job starts. */
  DeclaredTopics requestTopic() {
    return spec.declaredTopic(
        spec.requestTopic(),
        spec.topicDeclaration(
            file,
            document,
            "spec.requestTopic",
            "reads its calls from",
            TopicsDeclaration.Use.SOURCE,
            "spec.requestTopic naming a topic that exists (the gateway writes calls to it)"));
  }

  @Override
  public DataStream<Envelope> createStream(StreamExecutionEnvironment env, String uidPrefix) {
    KafkaSourceBuilder<GatewayRequest> source = KafkaSource.builder();
    spec.properties().forEach(source::setProperty);
    source
        .setBootstrapServers(spec.bootstrapServers())
        .setGroupId("keyflow-gateway-" + spec.id().namespace() + "-" + spec.id().name())
        .setTopics(spec.requestTopic())
        // Calls written before the job first started are answered too.
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(new GatewayRequests(spec.id()));
    return env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "gateway " + spec.id())
        .uid(uidPrefix + "-source")
        // By slot: requests that reuse an Idempotency-Key with another body share it, so only the
        // first one reaches the function.
        .keyBy(request -> InvocationIds.slot(request.getInvocationId()), Types.STRING)
        .process(new FirstRequests(spec.idempotencyTtl()), ProtobufTypeInfo.ENVELOPE)
        .uid(uidPrefix + "-idempotency")
        .name("idempotency " + spec.id());
  }
}
