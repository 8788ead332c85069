package io.keyflow.savepoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyflow.delay.DelayedMessages;
import io.keyflow.dispatch.RequestStates;
import io.keyflow.dispatch.ScheduleReports;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.internal.DelayedEnvelope;
import io.keyflow.protocol.internal.PendingBatch;
import io.keyflow.protocol.internal.ScheduleState;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.savepoint.MergedKeys.KeyWork;
import io.keyflow.savepoint.MergedKeys.Namespaces;
import io.keyflow.schedule.Schedules;
import io.keyflow.state.TypedBytesSerializer;
import io.keyflow.state.ValueText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.AbstractRichFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.ttl.TtlStateFactory;
import org.apache.flink.runtime.state.ttl.TtlValue;
import org.apache.flink.state.api.input.operator.StateReaderOperator;
import org.apache.flink.state.api.runtime.SavepointRuntimeContext;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Reads every address of the key groups of one split of the dispatcher's state: for each id (a key
 * of the keyed state), one JSON line per function type with its values, in-flight request, waiting
 * messages and the delayed messages it sent, and {@code "paused": true} if an operator paused it;
 * for a schedule id, a line of function type {@code keyflow/schedules} with the schedule.
 *
 * <p>Plugs into the State Processor API's {@code KeyedStateInputFormat}, which restores the
 * dispatcher's keyed state (RocksDB, on local disk) per split and calls {@link #processElement} for
 * each key {@link #getKeysAndNamespaces} lists, right after listing it. Every key yields exactly
 * one string (the input format ends a split on a key that yields nothing): its lines joined by
 * newlines, empty when the filter leaves none.
 */
final class AddressStateReader
    extends StateReaderOperator<AddressStateReader.NoFunction, String, VoidNamespace, String> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The State Processor API wants a user function; this reader needs none. */
  static final class NoFunction extends AbstractRichFunction {
    private static final long serialVersionUID = 1L;
  }

  private final List<DeclaredValue> declared;
  private final int maxParallelism;
  private final DumpFilter filter;

  private transient List<ValueState<?>> values;
  private transient KeyWork current;

  AddressStateReader(List<DeclaredValue> declared, int maxParallelism, DumpFilter filter) {
    super(new NoFunction(), Types.STRING, VoidNamespaceSerializer.INSTANCE);
    this.declared = List.copyOf(declared);
    this.maxParallelism = maxParallelism;
    this.filter = filter;
  }

  @Override
  public void open() throws Exception {
    super.open();
    values = new ArrayList<>(declared.size());
    for (DeclaredValue value : declared) {
      TypedBytesSerializer bytes = new TypedBytesSerializer(value.typename(), value.expiration());
      StateDescriptor<? extends ValueState<?>, ?> descriptor =
          value.ttl()
              ? new ValueStateDescriptor<>(
                  value.stateName(),
                  new TtlStateFactory.TtlSerializer<>(LongSerializer.INSTANCE, bytes))
              : new ValueStateDescriptor<>(value.stateName(), bytes);
      values.add(voidState(descriptor));
    }
  }

  @Override
  public CloseableIterator<Tuple2<String, VoidNamespace>> getKeysAndNamespaces(
      SavepointRuntimeContext ctx) throws Exception {
    KeyedStateBackend<String> backend = getKeyedStateBackend();
    MergedKeys keys = new MergedKeys(maxParallelism);
    // Only schedules wanted (keyflow schedules list): no other state can yield their lines, so
    // the keys of the others are not walked at all.
    if (!Schedules.ADDRESS.equals(filter.function())) {
      addressKeys(backend, keys);
    }
    for (String schedules : List.of(Schedules.STATIC_STATE, Schedules.DYNAMIC_STATE)) {
      voidState(Schedules.descriptor(schedules));
      keys.add(
          schedules,
          backend
              .getKeys(schedules, VoidNamespace.INSTANCE)
              .map(k -> Tuple2.of(k, VoidNamespace.INSTANCE)),
          Namespaces.SCHEDULE);
    }
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return keys.hasNext();
      }

      @Override
      public Tuple2<String, VoidNamespace> next() {
        current = keys.next();
        return Tuple2.of(current.key(), VoidNamespace.INSTANCE);
      }

      @Override
      public void close() {
        keys.close();
      }
    };
  }

  /** Adds the keys of every state of an address: values, delays, requests, backlogs, pauses. */
  private void addressKeys(KeyedStateBackend<String> backend, MergedKeys keys) throws Exception {
    voidState(DelayedMessages.tokensDescriptor());
    if (!declared.isEmpty()) {
      keys.add(
          "values",
          backend
              .getKeys(
                  declared.stream().map(DeclaredValue::stateName).toList(), VoidNamespace.INSTANCE)
              .map(k -> Tuple2.of(k, VoidNamespace.INSTANCE)),
          Namespaces.NONE);
    }
    keys.add(
        DelayedMessages.TOKENS_STATE,
        backend
            .getKeys(DelayedMessages.TOKENS_STATE, VoidNamespace.INSTANCE)
            .map(k -> Tuple2.of(k, VoidNamespace.INSTANCE)),
        Namespaces.NONE);
    for (StateDescriptor<?, ?> d :
        List.of(
            RequestStates.inflight(),
            RequestStates.backlog(),
            RequestStates.batches(),
            RequestStates.paused())) {
      backend.getPartitionedState("", StringSerializer.INSTANCE, d);
      keys.add(
          d.getName(), backend.<String>getKeysAndNamespaces(d.getName()), Namespaces.FUNCTION_TYPE);
    }
    backend.getPartitionedState(0L, LongSerializer.INSTANCE, DelayedMessages.messagesDescriptor());
    keys.add(
        DelayedMessages.MESSAGES_STATE,
        backend.<Long>getKeysAndNamespaces(DelayedMessages.MESSAGES_STATE),
        Namespaces.FIRE_TIME);
  }

  @Override
  public void processElement(String id, VoidNamespace ignored, Collector<String> out)
      throws Exception {
    if (!filter.acceptsId(id) || current == null || !current.key().equals(id)) {
      out.collect("");
      return;
    }
    Map<TypeName, ObjectNode> addresses =
        new TreeMap<>(java.util.Comparator.comparing(TypeName::toString));
    long now = System.currentTimeMillis();
    for (int i = 0; i < declared.size(); i++) {
      DeclaredValue value = declared.get(i);
      Object stored = values.get(i).value();
      if (stored == null) {
        continue;
      }
      ObjectNode node = MAPPER.createObjectNode();
      if (stored instanceof TtlValue<?> ttl) {
        ValueText.write(node, value.typename(), (byte[]) ttl.getUserValue());
        long touched = ttl.getLastAccessTimestamp();
        if (value.expiration().expires()) {
          ObjectNode expiration = node.putObject("expiration");
          expiration.put("mode", value.expiration().mode().name());
          expiration.put("afterMillis", value.expiration().afterMillis());
          long expiresAt = touched + value.expiration().afterMillis();
          node.put("expiresAt", Instant.ofEpochMilli(expiresAt).toString());
          if (expiresAt <= now) {
            node.put("expired", true);
          }
        } else {
          node.put("ttlTouchedAt", Instant.ofEpochMilli(touched).toString());
        }
      } else {
        ValueText.write(node, value.typename(), (byte[]) stored);
      }
      ((ObjectNode) address(addresses, value.function(), id).get("values")).set(value.name(), node);
    }
    for (String type : current.functionTypes()) {
      TypeName function = TypeName.parse(type);
      ObjectNode address = address(addresses, function, id);
      Boolean paused =
          getKeyedStateBackend()
              .getPartitionedState(type, StringSerializer.INSTANCE, RequestStates.paused())
              .value();
      if (paused != null && paused) {
        address.put("paused", true);
      }
      PendingBatch inflight =
          getKeyedStateBackend()
              .getPartitionedState(type, StringSerializer.INSTANCE, RequestStates.inflight())
              .value();
      if (inflight != null) {
        invocations(address.withArray("inflight"), inflight.getInvocationsList());
      }
      MapState<Long, PendingBatch> batches =
          getKeyedStateBackend()
              .getPartitionedState(type, StringSerializer.INSTANCE, RequestStates.batches());
      TreeMap<Long, PendingBatch> ordered = new TreeMap<>();
      for (Map.Entry<Long, PendingBatch> e : batches.entries()) {
        ordered.put(e.getKey(), e.getValue());
      }
      for (PendingBatch batch : ordered.values()) {
        invocations(address.withArray("backlog"), batch.getInvocationsList());
      }
      ListState<Invocation> backlog =
          getKeyedStateBackend()
              .getPartitionedState(type, StringSerializer.INSTANCE, RequestStates.backlog());
      Iterable<Invocation> waiting = backlog.get();
      if (waiting != null) {
        invocations(address.withArray("backlog"), waiting);
      }
    }
    for (long fireTime : current.fireTimes()) {
      Iterable<DelayedEnvelope> due =
          getKeyedStateBackend()
              .getPartitionedState(
                  fireTime, LongSerializer.INSTANCE, DelayedMessages.messagesDescriptor())
              .get();
      if (due == null) {
        continue;
      }
      for (DelayedEnvelope delayed : due) {
        Address sender = delayed.getEnvelope().getCaller();
        ObjectNode address =
            address(addresses, new TypeName(sender.getNamespace(), sender.getType()), id);
        ObjectNode entry = address.withArray("delayed").addObject();
        entry.put("dueAt", Instant.ofEpochMilli(fireTime).toString());
        if (!delayed.getCancellationToken().isEmpty()) {
          entry.put("token", delayed.getCancellationToken());
        }
        entry.put("target", text(delayed.getEnvelope().getTarget()));
        message(entry, delayed.getEnvelope().getPayload());
      }
    }
    if (current.schedule()) {
      schedule(addresses, id);
    }
    StringBuilder lines = new StringBuilder();
    for (Map.Entry<TypeName, ObjectNode> e : addresses.entrySet()) {
      if (!filter.acceptsFunction(e.getKey())) {
        continue;
      }
      if (lines.length() > 0) {
        lines.append('\n');
      }
      lines.append(MAPPER.writeValueAsString(e.getValue()));
    }
    out.collect(lines.toString());
  }

  /** The schedule with id {@code id}, as a line of function type {@code keyflow/schedules}. */
  private void schedule(Map<TypeName, ObjectNode> addresses, String id) throws Exception {
    for (String name : List.of(Schedules.STATIC_STATE, Schedules.DYNAMIC_STATE)) {
      ScheduleState state = voidState(Schedules.descriptor(name)).value();
      if (state != null) {
        ScheduleReports.write(
            address(addresses, Schedules.ADDRESS, id).putObject("schedule"),
            ScheduleReports.of(
                new Schedules.Inspected(name.equals(Schedules.STATIC_STATE), state)));
        return;
      }
    }
  }

  private static ObjectNode address(
      Map<TypeName, ObjectNode> addresses, TypeName function, String id) {
    return addresses.computeIfAbsent(
        function,
        f -> {
          ObjectNode node = MAPPER.createObjectNode();
          node.put("function", f.toString());
          node.put("id", id);
          node.putObject("values");
          node.putArray("inflight");
          node.putArray("backlog");
          node.putArray("delayed");
          return node;
        });
  }

  private static void invocations(ArrayNode into, Iterable<Invocation> invocations) {
    for (Invocation invocation : invocations) {
      ObjectNode node = into.addObject();
      if (invocation.hasCaller()) {
        node.put("caller", text(invocation.getCaller()));
      }
      message(node, invocation.getArgument());
    }
  }

  private static void message(ObjectNode node, TypedValue value) {
    ValueText.write(node, value.getTypename(), value.getValue().toByteArray());
  }

  private static String text(Address address) {
    return address.getNamespace() + "/" + address.getType() + "/" + address.getId();
  }

  private <S extends org.apache.flink.api.common.state.State> S voidState(
      StateDescriptor<S, ?> descriptor) throws Exception {
    return getKeyedStateBackend()
        .getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
  }
}
