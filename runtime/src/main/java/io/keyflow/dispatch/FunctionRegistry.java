package io.keyflow.dispatch;

import io.keyflow.module.HttpEndpoint;
import io.keyflow.module.Module;
import io.keyflow.module.TypeName;
import io.keyflow.remote.RemoteFunctionClient;
import io.keyflow.state.FunctionValues;
import io.keyflow.state.ValueStateBinder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The function types a dispatcher subtask has met: for each, its endpoint, URL, HTTP client (shared
 * per endpoint) and declared values. Created lazily, on the task thread.
 */
final class FunctionRegistry implements AutoCloseable {
  private final Module module;
  private final ValueStateBinder values;
  private final BiFunction<TypeName, HttpEndpoint, FunctionTypeMetrics> metrics;
  private final LearnedValueSpecs learned;
  private final Map<TypeName, FunctionRuntime> functions = new HashMap<>();
  private final Map<HttpEndpoint, RemoteFunctionClient> clients = new HashMap<>();

  FunctionRegistry(
      Module module,
      ValueStateBinder values,
      BiFunction<TypeName, HttpEndpoint, FunctionTypeMetrics> metrics,
      LearnedValueSpecs learned) {
    this.module = module;
    this.values = values;
    this.metrics = metrics;
    this.learned = learned;
  }

  /** The runtime of {@code key}'s function type; fails if no endpoint serves it. */
  FunctionRuntime get(AddressKey key) {
    FunctionRuntime function = functions.get(key.function());
    if (function == null) {
      HttpEndpoint endpoint =
          module
              .endpointFor(key.function())
              .orElseThrow(() -> DispatchException.noEndpoint(key, boundPatterns()));
      FunctionValues declared = new FunctionValues(key.function(), values);
      java.util.List<io.keyflow.protocol.reqreply.FromFunction.PersistedValueSpec> remembered =
          learned.restored(key.function());
      if (remembered != null) {
        declared.remember(remembered);
      }
      function =
          new FunctionRuntime(
              key.function(),
              endpoint,
              endpoint.urlFor(key.function()),
              clients.computeIfAbsent(endpoint, RemoteFunctionClient::new),
              declared,
              metrics.apply(key.function(), endpoint));
      functions.put(key.function(), function);
    }
    return function;
  }

  /** Whether some endpoint serves {@code type}. */
  boolean serves(TypeName type) {
    return functions.containsKey(type) || module.endpointFor(type).isPresent();
  }

  /** Checkpoints the value specs of every function type known here. */
  void snapshotValueSpecs() throws Exception {
    learned.snapshot(functions);
  }

  java.util.List<String> boundPatterns() {
    return module.endpoints().stream().map(e -> e.functions().toString()).toList();
  }

  @Override
  public void close() {
    clients.values().forEach(RemoteFunctionClient::close);
  }
}
