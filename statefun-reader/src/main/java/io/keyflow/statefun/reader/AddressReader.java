package io.keyflow.statefun.reader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.AbstractRichFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.ttl.TtlValue;
import org.apache.flink.state.api.input.operator.StateReaderOperator;
import org.apache.flink.state.api.runtime.SavepointRuntimeContext;
import org.apache.flink.statefun.flink.core.message.Message;
import org.apache.flink.statefun.flink.core.message.MessageFactory;
import org.apache.flink.statefun.flink.core.message.MessageFactoryKey;
import org.apache.flink.statefun.flink.core.message.MessageFactoryType;
import org.apache.flink.statefun.sdk.Address;
import org.apache.flink.statefun.sdk.reqreply.generated.ToFunction;
import org.apache.flink.statefun.sdk.reqreply.generated.TypedValue;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Reads every address id of one split of StateFun's functions operator and turns it into Keyflow
 * bootstrap lines, one per function type that has something for the id: its remote values (with
 * {@code ttlTouchedAt} for expiring ones), the in-flight request's messages, the batch waiting
 * behind it, and the delayed messages it sent.
 *
 * <p>Plugs into the State Processor API's {@code KeyedStateInputFormat}: {@link
 * #getKeysAndNamespaces} lists each id once ({@link IdMerge}), and {@link #processElement} yields
 * exactly one string per id: its lines joined by newlines, then one {@code #}-prefixed line per
 * thing that could not be carried (the report), or an empty string.
 */
final class AddressReader
    extends StateReaderOperator<AddressReader.NoFunction, String, VoidNamespace, String> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The State Processor API wants a user function; this reader needs none. */
  static final class NoFunction extends AbstractRichFunction {
    private static final long serialVersionUID = 1L;
  }

  private final ReadPlan plan;

  private transient List<ValueState<Object>> values;
  private transient Map<String, ListState<Object>> batches;
  private transient Map<String, ValueState<Object>> requests;
  private transient MapState<Long, Object> async;
  private transient MessageFactory messages;
  private transient IdMerge.Id current;

  AddressReader(ReadPlan plan) {
    super(new NoFunction(), Types.STRING, VoidNamespaceSerializer.INSTANCE);
    this.plan = plan;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void open() throws Exception {
    super.open();
    messages =
        MessageFactory.forKey(
            MessageFactoryKey.forType(MessageFactoryType.WITH_PROTOBUF_PAYLOADS, null));
    values = new ArrayList<>();
    for (ReadPlan.Value value : plan.values()) {
      values.add(
          voidState(
              new ValueStateDescriptor<>(
                  value.state(), (TypeSerializer<Object>) value.serializer())));
    }
    batches = new LinkedHashMap<>();
    plan.batches()
        .forEach(
            (type, serializer) ->
                batches.put(
                    type,
                    uncheckedVoidState(
                        new ListStateDescriptor<>(
                            type + "." + StatefunLayout.BATCH,
                            (TypeSerializer<Object>) serializer))));
    requests = new LinkedHashMap<>();
    plan.requestStates()
        .forEach(
            (type, serializer) ->
                requests.put(
                    type,
                    uncheckedVoidState(
                        new ValueStateDescriptor<>(
                            type + "." + StatefunLayout.REQUEST_STATE,
                            (TypeSerializer<Object>) serializer))));
    if (plan.asyncOperations() != null) {
      async =
          voidState(
              new MapStateDescriptor<>(
                  StatefunLayout.ASYNC_OPERATIONS,
                  LongSerializer.INSTANCE,
                  (TypeSerializer<Object>) plan.asyncOperations()));
    }
    if (plan.delayed() != null) {
      getKeyedStateBackend().getPartitionedState(0L, LongSerializer.INSTANCE, delayedDescriptor());
    }
  }

  @SuppressWarnings("unchecked")
  private ListStateDescriptor<Object> delayedDescriptor() {
    return new ListStateDescriptor<>(
        StatefunLayout.DELAYED_BUFFER, (TypeSerializer<Object>) plan.delayed());
  }

  @Override
  public CloseableIterator<Tuple2<String, VoidNamespace>> getKeysAndNamespaces(
      SavepointRuntimeContext ctx) throws Exception {
    KeyedStateBackend<String> backend = getKeyedStateBackend();
    IdMerge ids = new IdMerge(plan.maxParallelism());
    List<String> voidStates = new ArrayList<>();
    plan.values().forEach(v -> voidStates.add(v.state()));
    plan.batches().keySet().forEach(t -> voidStates.add(t + "." + StatefunLayout.BATCH));
    plan.requestStates()
        .keySet()
        .forEach(t -> voidStates.add(t + "." + StatefunLayout.REQUEST_STATE));
    if (plan.asyncOperations() != null) {
      voidStates.add(StatefunLayout.ASYNC_OPERATIONS);
    }
    for (String state : voidStates) {
      ids.addIds(state, backend.getKeys(state, VoidNamespace.INSTANCE));
    }
    if (plan.delayed() != null) {
      ids.addDueTimes(
          StatefunLayout.DELAYED_BUFFER,
          backend.<Long>getKeysAndNamespaces(StatefunLayout.DELAYED_BUFFER));
    }
    return new CloseableIterator<>() {
      @Override
      public boolean hasNext() {
        return ids.hasNext();
      }

      @Override
      public Tuple2<String, VoidNamespace> next() {
        current = ids.next();
        return Tuple2.of(current.id(), VoidNamespace.INSTANCE);
      }

      /** Flink 1.16's input format removes each key it has read; nothing is kept to remove. */
      @Override
      public void remove() {}

      @Override
      public void close() {
        ids.close();
      }
    };
  }

  @Override
  public void processElement(String id, VoidNamespace ignored, Collector<String> out)
      throws Exception {
    if (current == null || !current.id().equals(id)) {
      out.collect("");
      return;
    }
    Map<String, ObjectNode> lines = new TreeMap<>();
    List<String> report = new ArrayList<>();
    readValues(id, lines);
    Map<String, Integer> inflight = readInflight(id, lines, report);
    readBatches(id, lines, inflight, report);
    readDelayed(id, lines, report);
    StringBuilder text = new StringBuilder();
    for (ObjectNode line : lines.values()) {
      append(text, MAPPER.writeValueAsString(line));
    }
    for (String problem : report) {
      append(text, "#" + problem);
    }
    out.collect(text.toString());
  }

  private void readValues(String id, Map<String, ObjectNode> lines) throws Exception {
    for (int i = 0; i < values.size(); i++) {
      Object stored = values.get(i).value();
      if (stored == null) {
        continue;
      }
      ReadPlan.Value value = plan.values().get(i);
      ObjectNode node =
          ((ObjectNode) line(lines, value.function(), id).get("values")).putObject(value.name());
      node.put("typename", value.typename());
      if (stored instanceof TtlValue) {
        TtlValue<?> ttl = (TtlValue<?>) stored;
        node.put("base64", base64((byte[]) ttl.getUserValue()));
        node.put("ttlTouchedAt", Instant.ofEpochMilli(ttl.getLastAccessTimestamp()).toString());
      } else {
        node.put("base64", base64((byte[]) stored));
      }
    }
  }

  /** The in-flight requests' messages by function type; returns how many each type has. */
  private Map<String, Integer> readInflight(
      String id, Map<String, ObjectNode> lines, List<String> report) throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    if (async == null) {
      return counts;
    }
    Iterable<Map.Entry<Long, Object>> entries = async.entries();
    if (entries == null) {
      return counts;
    }
    for (Map.Entry<Long, Object> entry : entries) {
      Message message = (Message) entry.getValue();
      Address owner = message.target();
      String type = owner.type().namespace() + "." + owner.type().name();
      Object payload;
      try {
        payload = message.payload(messages, getClass().getClassLoader());
      } catch (RuntimeException e) {
        report.add(problem(id, type, "inflight", "its payload cannot be read: " + e.getMessage()));
        continue;
      }
      if (!(payload instanceof ToFunction)) {
        report.add(
            problem(
                id,
                type,
                "inflight",
                "an asynchronous operation of kind "
                    + payload.getClass().getName()
                    + " (only remote functions' requests are carried)"));
        continue;
      }
      ArrayNode array = line(lines, function(owner), id).withArray("inflight");
      for (ToFunction.Invocation invocation :
          ((ToFunction) payload).getInvocation().getInvocationsList()) {
        invocation(array.addObject(), invocation);
      }
      counts.merge(type, 1, Integer::sum);
    }
    return counts;
  }

  private void readBatches(
      String id, Map<String, ObjectNode> lines, Map<String, Integer> inflight, List<String> report)
      throws Exception {
    for (Map.Entry<String, ListState<Object>> e : batches.entrySet()) {
      String type = e.getKey();
      Object state = requests.containsKey(type) ? requests.get(type).value() : null;
      Iterable<Object> batch = e.getValue().get();
      int waiting = 0;
      if (batch != null) {
        for (Object element : batch) {
          if (waiting == 0 && !inflight.containsKey(type) && state != null) {
            report.add(
                problem(
                    id,
                    type,
                    "inflight",
                    "the request in flight is not in the savepoint; the waiting batch is sent"
                        + " in its place"));
          }
          ArrayNode array = line(lines, dotted(type), id).withArray("backlog");
          invocation(array.addObject(), (ToFunction.Invocation) element);
          waiting++;
        }
      }
      if (state instanceof Integer && (Integer) state > 0 && (Integer) state != waiting) {
        report.add(
            problem(
                id,
                type,
                "backlog",
                "request-state counts " + state + " waiting messages, the batch holds " + waiting));
      }
    }
  }

  private void readDelayed(String id, Map<String, ObjectNode> lines, List<String> report)
      throws Exception {
    for (long due : current.dueTimes()) {
      ListState<Object> buffer =
          getKeyedStateBackend()
              .getPartitionedState(due, LongSerializer.INSTANCE, delayedDescriptor());
      Iterable<Object> all = buffer.get();
      if (all == null) {
        continue;
      }
      for (Object element : all) {
        Message message = (Message) element;
        Address sender = message.source();
        if (sender == null) {
          report.add(problem(id, "", "delayed", "a delayed message without a sender"));
          continue;
        }
        Object payload;
        try {
          payload = message.payload(messages, getClass().getClassLoader());
        } catch (RuntimeException e) {
          report.add(
              problem(
                  id, type(sender), "delayed", "its payload cannot be read: " + e.getMessage()));
          continue;
        }
        if (!(payload instanceof TypedValue)) {
          report.add(
              problem(
                  id,
                  type(sender),
                  "delayed",
                  "a message of class " + payload.getClass().getName() + " (embedded functions)"));
          continue;
        }
        ObjectNode node = line(lines, function(sender), id).withArray("delayed").addObject();
        node.put("dueAt", Instant.ofEpochMilli(due).toString());
        message.cancellationToken().ifPresent(token -> node.put("token", token));
        Address target = message.target();
        node.put("target", function(target) + "/" + target.id());
        typed(node, (TypedValue) payload);
      }
    }
  }

  private static void invocation(ObjectNode node, ToFunction.Invocation invocation) {
    if (invocation.hasCaller()) {
      org.apache.flink.statefun.sdk.reqreply.generated.Address caller = invocation.getCaller();
      node.put("caller", caller.getNamespace() + "/" + caller.getType() + "/" + caller.getId());
    }
    typed(node, invocation.getArgument());
  }

  private static void typed(ObjectNode node, TypedValue value) {
    node.put("typename", value.getTypename());
    node.put("base64", base64(value.getValue().toByteArray()));
  }

  private static ObjectNode line(Map<String, ObjectNode> lines, String function, String id) {
    return lines.computeIfAbsent(
        function,
        f -> {
          ObjectNode node = MAPPER.createObjectNode();
          node.put("function", f);
          node.put("id", id);
          node.putObject("values");
          node.putArray("inflight");
          node.putArray("backlog");
          node.putArray("delayed");
          return node;
        });
  }

  private static String problem(String id, String type, String what, String why) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("function", dotted(type));
    node.put("id", id);
    node.put("what", what);
    node.put("problem", why);
    return node.toString();
  }

  private static String function(Address address) {
    return address.type().namespace() + "/" + address.type().name();
  }

  private static String type(Address address) {
    return address.type().namespace() + "." + address.type().name();
  }

  /** {@code namespace.type} as StateFun prefixes state, to {@code namespace/type}. */
  private static String dotted(String type) {
    int dot = type.lastIndexOf('.');
    return dot <= 0 ? type : type.substring(0, dot) + "/" + type.substring(dot + 1);
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static void append(StringBuilder text, String line) {
    if (text.length() > 0) {
      text.append('\n');
    }
    text.append(line);
  }

  private <S extends State> S voidState(StateDescriptor<S, ?> descriptor) throws Exception {
    return getKeyedStateBackend()
        .getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
  }

  private <S extends State> S uncheckedVoidState(StateDescriptor<S, ?> descriptor) {
    try {
      return voidState(descriptor);
    } catch (Exception e) {
      throw new IllegalStateException("cannot restore state " + descriptor.getName(), e);
    }
  }
}
