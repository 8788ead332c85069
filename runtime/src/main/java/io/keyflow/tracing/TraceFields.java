package io.keyflow.tracing;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.UnknownFieldSet;
import io.keyflow.protocol.internal.TraceContext;
import java.util.List;

/**
 * A trace context riding along in a record of the StateFun protocol, which has no field for one: a
 * waiting message in its address's backlog (an {@code Invocation}) and a record a function sent to
 * an egress (a {@code TypedValue}, then a {@code KafkaProducerRecord}). The context goes into field
 * {@value #FIELD}, which those messages do not declare; protobuf keeps such a field through every
 * parse and write, and SDKs that meet it skip it. Keyflow removes it before a record leaves.
 */
public final class TraceFields {
  /** The field number; no StateFun protocol message declares it. */
  public static final int FIELD = 100;

  private TraceFields() {}

  /** {@code message} with {@code trace} in field {@value #FIELD}. */
  @SuppressWarnings("unchecked")
  public static <M extends Message> M stamp(M message, TraceContext trace) {
    UnknownFieldSet fields =
        UnknownFieldSet.newBuilder(message.getUnknownFields())
            .clearField(FIELD)
            .addField(
                FIELD,
                UnknownFieldSet.Field.newBuilder().addLengthDelimited(trace.toByteString()).build())
            .build();
    return (M) message.toBuilder().setUnknownFields(fields).build();
  }

  /** The trace context in field {@value #FIELD} of {@code message}, or null. */
  public static TraceContext of(MessageOrBuilder message) {
    UnknownFieldSet fields = message.getUnknownFields();
    if (!fields.hasField(FIELD)) {
      return null;
    }
    List<com.google.protobuf.ByteString> values = fields.getField(FIELD).getLengthDelimitedList();
    if (values.isEmpty()) {
      return null;
    }
    try {
      return TraceContext.parseFrom(values.get(values.size() - 1));
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /** {@code message} without field {@value #FIELD}; itself when it has none. */
  @SuppressWarnings("unchecked")
  public static <M extends Message> M strip(M message) {
    if (!message.getUnknownFields().hasField(FIELD)) {
      return message;
    }
    UnknownFieldSet fields =
        UnknownFieldSet.newBuilder(message.getUnknownFields()).clearField(FIELD).build();
    return (M) message.toBuilder().setUnknownFields(fields).build();
  }
}
