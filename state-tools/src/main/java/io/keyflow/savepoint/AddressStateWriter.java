package io.keyflow.savepoint;

import io.keyflow.delay.DelayedMessages;
import io.keyflow.dispatch.RequestStates;
import io.keyflow.protocol.internal.DelayedEnvelope;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.PendingBatch;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.state.TypedBytesSerializer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.ttl.TtlStateFactory;
import org.apache.flink.runtime.state.ttl.TtlValue;
import org.apache.flink.state.api.output.SnapshotUtils;
import org.apache.flink.state.api.output.TaggedOperatorSubtaskState;
import org.apache.flink.state.api.runtime.VoidTriggerable;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Writes one bootstrap line into the dispatcher's keyed state of its id, with the state names,
 * namespaces and serializers the job itself uses, then snapshots the state when its input ends.
 *
 * <p>Values: {@code namespace/type/value} with {@link TypedBytesSerializer}, wrapped in Flink's
 * time-to-live serializer for expiring values. Pending work ({@link RequestStates}, {@link
 * DelayedMessages}): the in-flight request and backlog namespaced by function type; delayed
 * messages under the sender's id, namespaced by due time, with the token index, the list of due
 * times and a processing-time timer in the dispatcher's timer service, so that a job started from
 * the savepoint delivers each once when it is due (at once if that time has passed).
 *
 * <p>The State Processor API's {@code KeyedStateBootstrapFunction} offers only a timer service of
 * its own name; the job fires timers of {@link DelayedMessages#TIMERS}, hence this operator.
 *
 * <p>A backlog needs a request in flight in front of it, or the job would not send it before the
 * address's next message: an address with a backlog and no in-flight messages gets its backlog as
 * the in-flight request, which the job sends as one batch when it starts.
 */
final class AddressStateWriter extends AbstractStreamOperator<TaggedOperatorSubtaskState>
    implements OneInputStreamOperator<String, TaggedOperatorSubtaskState>, BoundedOneInput {
  private static final long serialVersionUID = 1L;

  private final long checkpointId;
  private final long timestamp;
  private final Path savepointPath;
  private final List<DeclaredValue> declared;
  private final boolean valuesOnly;

  private transient Map<String, ValueState<byte[]>> plain;
  private transient Map<String, ValueState<TtlValue<byte[]>>> expiring;
  private transient InternalTimerService<VoidNamespace> timers;

  AddressStateWriter(
      long checkpointId,
      long timestamp,
      Path savepointPath,
      List<DeclaredValue> declared,
      boolean valuesOnly) {
    this.checkpointId = checkpointId;
    this.timestamp = timestamp;
    this.savepointPath = savepointPath;
    this.declared = List.copyOf(declared);
    this.valuesOnly = valuesOnly;
  }

  @Override
  public void open() throws Exception {
    super.open();
    plain = new HashMap<>();
    expiring = new HashMap<>();
    for (DeclaredValue value : declared) {
      TypedBytesSerializer bytes = new TypedBytesSerializer(value.typename(), value.expiration());
      if (value.ttl()) {
        expiring.put(
            value.stateName(),
            getPartitionedState(
                new ValueStateDescriptor<>(
                    value.stateName(),
                    new TtlStateFactory.TtlSerializer<>(LongSerializer.INSTANCE, bytes))));
      } else {
        plain.put(
            value.stateName(),
            getPartitionedState(new ValueStateDescriptor<>(value.stateName(), bytes)));
      }
    }
  }

  @Override
  public void processElement(StreamRecord<String> record) throws Exception {
    BootstrapLine line =
        BootstrapLine.parse(record.getValue(), valuesOnly, System.currentTimeMillis());
    for (BootstrapLine.Value value : line.values()) {
      String state = value.declared().stateName();
      if (value.declared().ttl()) {
        expiring.get(state).update(new TtlValue<>(value.bytes(), value.touchedAt()));
      } else {
        plain.get(state).update(value.bytes());
      }
    }
    if (line.hasPending()) {
      writeRequests(line);
      writeDelayed(line);
    }
  }

  private void writeRequests(BootstrapLine line) throws Exception {
    String type = line.function().toString();
    ValueState<PendingBatch> inflight =
        getPartitionedState(type, StringSerializer.INSTANCE, RequestStates.inflight());
    ListState<Invocation> backlog =
        getPartitionedState(type, StringSerializer.INSTANCE, RequestStates.backlog());
    List<Invocation> sent = new ArrayList<>();
    PendingBatch before = inflight.value();
    if (before != null) {
      sent.addAll(before.getInvocationsList());
    }
    sent.addAll(line.inflight());
    if (sent.isEmpty()) {
      // Nothing in flight yet: the backlog (earlier lines' and this one's) goes out first.
      Iterable<Invocation> waiting = backlog.get();
      if (waiting != null) {
        waiting.forEach(sent::add);
      }
      backlog.clear();
      sent.addAll(line.backlog());
    } else if (!line.backlog().isEmpty()) {
      backlog.addAll(line.backlog());
    }
    if (!sent.isEmpty()) {
      inflight.update(PendingBatch.newBuilder().addAllInvocations(sent).build());
    }
  }

  private void writeDelayed(BootstrapLine line) throws Exception {
    if (line.delayed().isEmpty()) {
      return;
    }
    MapState<String, Long> tokens = getPartitionedState(DelayedMessages.tokensDescriptor());
    MapState<Long, Boolean> times = getPartitionedState(DelayedMessages.fireTimesDescriptor());
    Address sender =
        Address.newBuilder()
            .setNamespace(line.function().namespace())
            .setType(line.function().name())
            .setId(line.id())
            .build();
    for (PendingText.Delayed delayed : line.delayed()) {
      if (!delayed.token().isEmpty() && tokens.contains(delayed.token())) {
        throw new IllegalArgumentException(
            "id "
                + line.id()
                + ": delayed message token "
                + delayed.token()
                + " is pending twice; a cancellation token names one message of its sender id");
      }
      Envelope envelope =
          Envelope.newBuilder()
              .setTarget(delayed.target())
              .setCaller(sender)
              .setPayload(delayed.message())
              .build();
      getPartitionedState(
              delayed.dueAt(), LongSerializer.INSTANCE, DelayedMessages.messagesDescriptor())
          .add(
              DelayedEnvelope.newBuilder()
                  .setEnvelope(envelope)
                  .setCancellationToken(delayed.token())
                  .build());
      if (!delayed.token().isEmpty()) {
        tokens.put(delayed.token(), delayed.dueAt());
      }
      times.put(delayed.dueAt(), Boolean.TRUE);
      timers().registerProcessingTimeTimer(VoidNamespace.INSTANCE, delayed.dueAt());
    }
  }

  private InternalTimerService<VoidNamespace> timers() {
    if (timers == null) {
      timers =
          getInternalTimerService(
              DelayedMessages.TIMERS, VoidNamespaceSerializer.INSTANCE, VoidTriggerable.instance());
    }
    return timers;
  }

  @Override
  public void endInput() throws Exception {
    Configuration job = getContainingTask().getJobConfiguration();
    TaggedOperatorSubtaskState state =
        SnapshotUtils.snapshot(
            checkpointId,
            this,
            getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
            timestamp,
            CheckpointingOptions.getCheckpointingMode(job),
            CheckpointingOptions.isUnalignedCheckpointEnabled(job),
            getContainingTask().getConfiguration().getConfiguration(),
            savepointPath);
    output.collect(new StreamRecord<>(state));
  }
}
