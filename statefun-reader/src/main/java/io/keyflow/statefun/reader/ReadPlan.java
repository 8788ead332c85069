package io.keyflow.statefun.reader;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;

/**
 * The states the reader restores and their serializers, taken from the savepoint (so StateFun's own
 * serializers read StateFun's bytes), in a form that travels to the Flink task that reads them.
 *
 * @param maxParallelism the key groups the state is split into
 * @param values the remote values of all function types
 * @param batches per function type ({@code namespace.type}), the element serializer of its batch
 * @param requestStates per function type, the serializer of its request state
 * @param asyncOperations the serializer of in-flight requests, or null if there are none
 * @param delayed the element serializer of the delayed-message buffer, or null if there is none
 */
record ReadPlan(
    int maxParallelism,
    List<Value> values,
    Map<String, TypeSerializer<?>> batches,
    Map<String, TypeSerializer<?>> requestStates,
    TypeSerializer<?> asyncOperations,
    TypeSerializer<?> delayed)
    implements Serializable {

  /**
   * A remote value to read.
   *
   * @param function {@code namespace/type}
   * @param name the value's name
   * @param state the Flink state name
   * @param typename the value's typename
   * @param serializer the stored values' serializer (a time-to-live wrapper for expiring values)
   */
  record Value(
      String function, String name, String state, String typename, TypeSerializer<?> serializer)
      implements Serializable {}

  static ReadPlan of(StatefunLayout layout) {
    List<Value> values =
        layout.values().stream()
            .map(v -> new Value(v.function(), v.name(), v.state(), v.typename(), v.serializer()))
            .toList();
    Map<String, TypeSerializer<?>> batches = new LinkedHashMap<>();
    Map<String, TypeSerializer<?>> requests = new LinkedHashMap<>();
    for (String type : layout.functionTypes()) {
      String batch = type + "." + StatefunLayout.BATCH;
      if (layout.has(batch)) {
        batches.put(
            type, ((ListSerializer<?>) layout.valueSerializer(batch)).getElementSerializer());
      }
      String request = type + "." + StatefunLayout.REQUEST_STATE;
      if (layout.has(request)) {
        requests.put(type, layout.valueSerializer(request));
      }
    }
    TypeSerializer<?> async =
        layout.has(StatefunLayout.ASYNC_OPERATIONS)
            ? ((MapSerializer<?, ?>) layout.valueSerializer(StatefunLayout.ASYNC_OPERATIONS))
                .getValueSerializer()
            : null;
    TypeSerializer<?> delayed =
        layout.has(StatefunLayout.DELAYED_BUFFER)
            ? ((ListSerializer<?>) layout.valueSerializer(StatefunLayout.DELAYED_BUFFER))
                .getElementSerializer()
            : null;
    return new ReadPlan(layout.maxParallelism(), values, batches, requests, async, delayed);
  }
}
