package io.keyflow.warmup;

import io.keyflow.module.FunctionPattern;
import io.keyflow.module.HttpEndpoint;
import io.keyflow.remote.RemoteFunctionClient;

/**
 * Creates and closes a function client, as the dispatcher does when its task starts: the HTTP
 * client's event loops start and stop, and their classes are initialised. It sends nothing.
 */
final class FunctionClientWarmUp implements WarmUpStep {
  @Override
  public String name() {
    return "function-client";
  }

  @Override
  public String run() {
    HttpEndpoint endpoint =
        HttpEndpoint.of(FunctionPattern.parse("keyflow/*"), "http://localhost/{function.name}");
    try (RemoteFunctionClient client = new RemoteFunctionClient(endpoint)) {
      client.endpoint();
    }
    return "created and closed (its event loops started and stopped)";
  }
}
