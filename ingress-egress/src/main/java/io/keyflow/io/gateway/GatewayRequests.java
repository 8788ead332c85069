package io.keyflow.io.gateway;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.gateway.GatewayRequest;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the gateway's request topic. Only gateways write it, so a record that is not a complete
 * {@link GatewayRequest} was put there by something else: it is logged, counted and skipped rather
 * than failing the job on every restart.
 */
final class GatewayRequests implements KafkaRecordDeserializationSchema<GatewayRequest> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRequests.class);

  private final TypeName gateway;
  private transient Counter skipped;

  GatewayRequests(TypeName gateway) {
    this.gateway = gateway;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    skipped = context.getMetricGroup().counter("keyflowInvalidRecordsSkipped");
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<GatewayRequest> out) {
    String problem;
    GatewayRequest request = null;
    if (record.value() == null) {
      problem = "it has no value";
    } else {
      try {
        request = GatewayRequest.parseFrom(record.value());
        problem = problem(request);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        problem = "it is not a gateway request (" + e.getMessage() + ")";
      }
    }
    if (problem != null) {
      skipped.inc();
      LOG.warn(
          "Gateway {} skipped the record at {}/{} offset {}: {}",
          gateway,
          record.topic(),
          record.partition(),
          record.offset(),
          problem);
      return;
    }
    out.collect(request);
  }

  private static String problem(GatewayRequest request) {
    if (request.getInvocationId().isEmpty()) {
      return "it has no invocation id";
    }
    if (!request.hasTarget()
        || request.getTarget().getNamespace().isEmpty()
        || request.getTarget().getType().isEmpty()
        || request.getTarget().getId().isEmpty()) {
      return "its target is incomplete";
    }
    if (request.hasControl()) {
      return null;
    }
    if (!request.hasArgument() || request.getArgument().getTypename().isEmpty()) {
      return "its argument has no typename";
    }
    return null;
  }

  @Override
  public TypeInformation<GatewayRequest> getProducedType() {
    return new ProtobufTypeInfo<>(GatewayRequest.class);
  }
}
