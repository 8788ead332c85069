package io.keyflow.dispatch;

import io.keyflow.protocol.ProtobufSerializer;
import io.keyflow.protocol.internal.PendingBatch;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.BooleanSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;

/**
 * The dispatcher's keyed state of pending work per address: names and descriptors, shared by the
 * dispatcher and the offline savepoint tools. Each is keyed by address id and namespaced by the
 * function type ({@code namespace/type}, a string). Part of savepoints: never change them.
 */
public final class RequestStates {
  /** The invocations of an outstanding request. */
  public static final String INFLIGHT = "keyflow.inflight";

  /** Messages that wait for the next batch, in arrival order. */
  public static final String BACKLOG = "keyflow.backlog";

  /** Waiting messages already cut into batches, by batch number (older than the backlog). */
  public static final String BATCHES = "keyflow.backlog-batches";

  /** Present (true) while an operator has paused the address; its messages wait meanwhile. */
  public static final String PAUSED = "keyflow.paused";

  /**
   * Operator state (union list, not keyed): the value specs each function type declared, so that a
   * restarted job knows an address's values before the type's next call.
   */
  public static final String VALUE_SPECS = "keyflow.value-specs";

  private RequestStates() {}

  public static ValueStateDescriptor<PendingBatch> inflight() {
    return new ValueStateDescriptor<>(INFLIGHT, new ProtobufSerializer<>(PendingBatch.class));
  }

  public static ListStateDescriptor<Invocation> backlog() {
    return new ListStateDescriptor<>(BACKLOG, new ProtobufSerializer<>(Invocation.class));
  }

  public static ValueStateDescriptor<Boolean> paused() {
    return new ValueStateDescriptor<>(PAUSED, BooleanSerializer.INSTANCE);
  }

  public static MapStateDescriptor<Long, PendingBatch> batches() {
    return new MapStateDescriptor<>(
        BATCHES, LongSerializer.INSTANCE, new ProtobufSerializer<>(PendingBatch.class));
  }
}
