package io.keyflow.io.kafka;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.TraceContext;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.TypedValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a Kafka record into one message per target of its topic: the UTF-8 key is the target id,
 * the value is passed unchanged with the topic's {@code valueType}.
 */
final class KafkaRecordRouter implements KafkaRecordDeserializationSchema<Envelope> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(KafkaRecordRouter.class);

  private final TypeName ingress;
  private final Map<String, TopicRoute> routes = new HashMap<>();
  private final InvalidRecordPolicy policy;
  private final DeadLetters.Config deadLetters;
  private transient Counter skipped;
  private transient DeadLetters deadLetterWriter;

  KafkaRecordRouter(
      TypeName ingress,
      List<TopicRoute> routes,
      InvalidRecordPolicy policy,
      DeadLetters.Config deadLetters) {
    this.ingress = ingress;
    routes.forEach(route -> this.routes.put(route.topic(), route));
    this.policy = policy;
    this.deadLetters = deadLetters;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    skipped = context.getMetricGroup().counter("keyflowInvalidRecordsSkipped");
    if (policy == InvalidRecordPolicy.DEAD_LETTER) {
      deadLetterWriter =
          new DeadLetters(
              deadLetters,
              context.getMetricGroup().counter("keyflowDeadLetters"),
              context.getUserCodeClassLoader());
    }
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Envelope> out)
      throws IOException {
    TopicRoute route = routes.get(record.topic());
    if (route == null) {
      invalid(record, "its topic has no route in the ingress");
      return;
    }
    if (record.key() == null) {
      invalid(record, "it has no key, and the key is the id of the target function");
      return;
    }
    if (record.value() == null) {
      invalid(record, "it has no value (a tombstone)");
      return;
    }
    if (route.deadLetters()) {
      redrive(record, out);
      return;
    }
    String id = new String(record.key(), StandardCharsets.UTF_8);
    TypedValue payload =
        TypedValue.newBuilder()
            .setTypename(route.valueType())
            .setHasValue(true)
            .setValue(com.google.protobuf.ByteString.copyFrom(record.value()))
            .build();
    TraceContext trace = KafkaTraceHeaders.read(record.headers());
    for (TypeName target : route.targets()) {
      Envelope.Builder message =
          Envelope.newBuilder()
              .setTarget(
                  Address.newBuilder()
                      .setNamespace(target.namespace())
                      .setType(target.name())
                      .setId(id))
              .setPayload(payload);
      if (trace != null) {
        message.setTrace(trace);
      }
      out.collect(message.build());
    }
  }

  /** Sends the messages of a dead letter back to the address they were for, caller and all. */
  private void redrive(ConsumerRecord<byte[], byte[]> record, Collector<Envelope> out)
      throws IOException {
    DeadLetter letter;
    try {
      letter = DeadLetter.parseFrom(record.value());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      invalid(record, "it is not a Keyflow dead letter (" + e.getMessage() + ")");
      return;
    }
    if (!letter.hasAddress() || letter.getAddress().getId().isEmpty()) {
      invalid(record, "the dead letter names no address");
      return;
    }
    for (ToFunction.Invocation message : letter.getMessagesList()) {
      Envelope.Builder envelope =
          Envelope.newBuilder().setTarget(letter.getAddress()).setPayload(message.getArgument());
      if (message.hasCaller()) {
        envelope.setCaller(message.getCaller());
      }
      out.collect(envelope.build());
    }
  }

  private void invalid(ConsumerRecord<byte[], byte[]> record, String reason) throws IOException {
    String description =
        "ingress "
            + ingress
            + " cannot route the record at "
            + record.topic()
            + "/"
            + record.partition()
            + " offset "
            + record.offset()
            + ": "
            + reason;
    if (policy == InvalidRecordPolicy.FAIL) {
      throw new IOException(description + " (invalidRecords: fail)");
    }
    if (policy == InvalidRecordPolicy.DEAD_LETTER) {
      deadLetterWriter.write(ingress, record, reason);
      LOG.warn("{}; sent to dead-letter topic {}", description, deadLetters.topic());
      return;
    }
    skipped.inc();
    LOG.warn("{}; skipped (invalidRecords: skip)", description);
  }

  @Override
  public TypeInformation<Envelope> getProducedType() {
    return ProtobufTypeInfo.ENVELOPE;
  }
}
