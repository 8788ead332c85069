package io.keyflow.dispatch;

import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufSerializer;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.PendingBatch;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.FromFunction.EgressMessage;
import io.keyflow.protocol.reqreply.FromFunction.InvocationResponse;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueSpec;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.ToFunction.InvocationBatchRequest;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.remote.RemoteFunctionClient;
import io.keyflow.state.FunctionValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Delivers messages to remote functions, one keyed subtask of them.
 *
 * <p>Per address (function type + id) at most one request is outstanding; messages arriving
 * meanwhile wait in a keyed backlog and go out as one batch when it completes. Input pauses while
 * an address's backlog is at {@code maxNumBatchRequests} or too many addresses are busy.
 *
 * <p><b>Recovery.</b> Outstanding requests live in memory; each checkpoint copies the ones it has
 * not seen yet into keyed state ({@link #INFLIGHT_STATE}), and completion removes them. A restore
 * therefore finds every request whose response was not applied before the checkpoint, and re-sends
 * it with the restored values: functions may see an invocation twice, its effects are applied once.
 *
 * <p><b>Threading.</b> Every method runs on the task thread; HTTP completions are handed to it
 * through the mailbox.
 */
public final class DispatcherOperator extends AbstractStreamOperator<Envelope>
    implements OneInputStreamOperator<Envelope, Envelope> {
  private static final long serialVersionUID = 1L;

  /** Keyed state (namespace: function type) holding the invocations of an outstanding request. */
  public static final String INFLIGHT_STATE = "keyflow.inflight";

  /** Keyed state (namespace: function type) holding messages that wait for the next batch. */
  public static final String BACKLOG_STATE = "keyflow.backlog";

  private final Module module;
  private final Map<TypeName, OutputTag<TypedValue>> egresses;
  private final transient MailboxExecutor mailbox;
  private final transient RequestTracker tracker;

  private transient ValueStateDescriptor<PendingBatch> inflightDescriptor;
  private transient ListStateDescriptor<Invocation> backlogDescriptor;
  private transient Map<TypeName, FunctionRuntime> functions;
  private transient Map<HttpEndpoint, RemoteFunctionClient> clients;
  private transient boolean closed;
  private transient Counter invocations;
  private transient Counter requests;

  DispatcherOperator(
      StreamOperatorParameters<Envelope> parameters,
      Module module,
      Map<TypeName, OutputTag<TypedValue>> egresses,
      int maxInFlight) {
    super(parameters);
    this.module = module;
    this.egresses = egresses;
    this.mailbox = parameters.getMailboxExecutor();
    this.tracker = new RequestTracker(maxInFlight);
  }

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    inflightDescriptor =
        new ValueStateDescriptor<>(INFLIGHT_STATE, new ProtobufSerializer<>(PendingBatch.class));
    backlogDescriptor =
        new ListStateDescriptor<>(BACKLOG_STATE, new ProtobufSerializer<>(Invocation.class));
    functions = new HashMap<>();
    clients = new HashMap<>();
  }

  @Override
  public void open() throws Exception {
    super.open();
    invocations = getMetricGroup().counter("keyflowInvocations");
    requests = getMetricGroup().counter("keyflowRequests");
    getMetricGroup().gauge("keyflowOutstandingRequests", tracker::size);
    resendRestoredRequests();
  }

  @Override
  public void processElement(StreamRecord<Envelope> record) throws Exception {
    Envelope envelope = record.getValue();
    AddressKey key = AddressKey.of(envelope.getTarget());
    FunctionRuntime function = function(key);
    Invocation.Builder invocation = Invocation.newBuilder().setArgument(envelope.getPayload());
    if (envelope.hasCaller()) {
      invocation.setCaller(envelope.getCaller());
    }
    invocations.inc();
    Pending busy = tracker.get(key);
    if (busy == null) {
      send(tracker.start(key, List.of(invocation.build())));
    } else {
      backlog(key).add(invocation.build());
      tracker.backlogged(busy);
    }
    while (tracker.mustWait(key, function.maxBatch())) {
      mailbox.yield();
    }
  }

  @Override
  public void snapshotState(StateSnapshotContext context) throws Exception {
    super.snapshotState(context);
    for (Pending p : tracker.all()) {
      if (!p.persisted) {
        setCurrentKey(p.key.id());
        inflight(p.key).update(PendingBatch.newBuilder().addAllInvocations(p.invocations).build());
        p.persisted = true;
      }
    }
  }

  @Override
  public void finish() throws Exception {
    while (!tracker.isEmpty()) {
      mailbox.yield();
    }
    super.finish();
  }

  @Override
  public void close() throws Exception {
    closed = true;
    if (clients != null) {
      clients.values().forEach(RemoteFunctionClient::close);
    }
    super.close();
  }

  private void send(Pending p) throws Exception {
    if (tracker.park(p)) {
      return;
    }
    FunctionRuntime function = function(p.key);
    setCurrentKey(p.key.id());
    ToFunction request =
        ToFunction.newBuilder()
            .setInvocation(
                InvocationBatchRequest.newBuilder()
                    .setTarget(p.key.toAddress())
                    .addAllState(function.values().read())
                    .addAllInvocations(p.invocations))
            .build();
    requests.inc();
    function
        .client()
        .invoke(function.url(), request)
        .whenComplete((response, error) -> handOver(p, response, error));
  }

  private void handOver(Pending p, FromFunction response, Throwable error) {
    try {
      mailbox.execute(() -> onResponse(p, response, error), "keyflow response for %s", p.key);
    } catch (RejectedExecutionException e) {
      // The task is shutting down; the request is re-sent from the last checkpoint.
    }
  }

  private void onResponse(Pending p, FromFunction response, Throwable error) throws Exception {
    if (closed || tracker.get(p.key) != p) {
      return;
    }
    if (error != null) {
      throw DispatchException.invocationFailed(p, error);
    }
    FunctionRuntime function = function(p.key);
    setCurrentKey(p.key.id());
    if (response.hasIncompleteInvocationContext()) {
      List<PersistedValueSpec> missing =
          response.getIncompleteInvocationContext().getMissingValuesList();
      if (!p.probe && function.values().registered(missing)) {
        throw DispatchException.handshakeLoop(
            p.key, missing.stream().map(PersistedValueSpec::getStateName).toList());
      }
      function.values().register(missing);
      List<Pending> released = tracker.probeAnswered(p);
      send(p);
      sendAll(released);
      return;
    }
    try {
      apply(p, response.getInvocationResult());
    } catch (DispatchException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DispatchException.responseFailed(p, e);
    }
    List<Pending> released = tracker.probeAnswered(p);
    complete(p);
    sendAll(released);
  }

  private void apply(Pending p, InvocationResponse result) throws Exception {
    if (result.getOutgoingMessagesCount() > 0 || result.getDelayedInvocationsCount() > 0) {
      throw DispatchException.messagingUnsupported(
          p.key, result.getOutgoingMessagesCount(), result.getDelayedInvocationsCount());
    }
    for (EgressMessage egress : result.getOutgoingEgressesList()) {
      output.collect(egressTag(p.key, egress), new StreamRecord<>(egress.getArgument()));
    }
    function(p.key).values().apply(p.key.id(), result.getStateMutationsList());
  }

  private OutputTag<TypedValue> egressTag(AddressKey sender, EgressMessage egress) {
    TypeName id;
    try {
      id = new TypeName(egress.getEgressNamespace(), egress.getEgressType());
    } catch (IllegalArgumentException e) {
      throw DispatchException.badAddress(sender, "an egress record with a malformed egress id", e);
    }
    OutputTag<TypedValue> tag = egresses.get(id);
    if (tag == null) {
      throw DispatchException.unknownEgress(sender, id, egresses.keySet());
    }
    return tag;
  }

  private void complete(Pending p) throws Exception {
    if (p.persisted) {
      inflight(p.key).clear();
    }
    if (tracker.completed(p)) {
      ListState<Invocation> backlog = backlog(p.key);
      List<Invocation> next = new ArrayList<>(p.backlog);
      Iterable<Invocation> waiting = backlog.get();
      if (waiting != null) {
        waiting.forEach(next::add);
      }
      backlog.clear();
      send(tracker.next(p, next));
    }
  }

  private void sendAll(List<Pending> released) throws Exception {
    for (Pending p : released) {
      send(p);
    }
  }

  private void resendRestoredRequests() throws Exception {
    getKeyedStateBackend().getOrCreateKeyedState(StringSerializer.INSTANCE, inflightDescriptor);
    List<Tuple2<String, String>> restored;
    try (Stream<Tuple2<String, String>> keys =
        this.<String>getKeyedStateBackend().<String>getKeysAndNamespaces(INFLIGHT_STATE)) {
      restored = keys.toList();
    }
    List<Pending> resend = new ArrayList<>(restored.size());
    for (Tuple2<String, String> entry : restored) {
      AddressKey key = new AddressKey(TypeName.parse(entry.f1), entry.f0);
      setCurrentKey(key.id());
      PendingBatch batch = inflight(key).value();
      if (batch == null) {
        continue;
      }
      int backlog = 0;
      Iterable<Invocation> waiting = backlog(key).get();
      if (waiting != null) {
        for (Invocation ignored : waiting) {
          backlog++;
        }
      }
      function(key);
      resend.add(tracker.restore(key, batch.getInvocationsList(), backlog));
    }
    if (!resend.isEmpty()) {
      LOG.info(
          "Re-sending {} request(s) that were outstanding at the restored checkpoint",
          resend.size());
    }
    sendAll(resend);
  }

  private FunctionRuntime function(AddressKey key) {
    FunctionRuntime function = functions.get(key.function());
    if (function == null) {
      HttpEndpoint endpoint =
          module
              .endpointFor(key.function())
              .orElseThrow(
                  () ->
                      DispatchException.noEndpoint(
                          key,
                          module.endpoints().stream().map(e -> e.functions().toString()).toList()));
      RemoteFunctionClient client = clients.computeIfAbsent(endpoint, RemoteFunctionClient::new);
      FunctionValues values =
          new FunctionValues(
              key.function(),
              (name, serializer, ttl) -> {
                ValueStateDescriptor<byte[]> descriptor =
                    new ValueStateDescriptor<>(name, serializer);
                if (ttl != null) {
                  descriptor.enableTimeToLive(ttl);
                }
                return getPartitionedState(descriptor);
              });
      function =
          new FunctionRuntime(
              key.function(), endpoint, endpoint.urlFor(key.function()), client, values);
      functions.put(key.function(), function);
    }
    return function;
  }

  private ValueState<PendingBatch> inflight(AddressKey key) throws Exception {
    return getPartitionedState(
        key.function().toString(), StringSerializer.INSTANCE, inflightDescriptor);
  }

  private ListState<Invocation> backlog(AddressKey key) throws Exception {
    return getPartitionedState(
        key.function().toString(), StringSerializer.INSTANCE, backlogDescriptor);
  }
}
