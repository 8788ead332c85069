package io.keyflow.cli.gateway;

import io.keyflow.cli.kafka.KafkaClientOptions;
import io.keyflow.cli.run.RunCommand;
import io.keyflow.cli.run.Shutdown;
import io.keyflow.io.gateway.Gateway;
import io.keyflow.io.gateway.GatewayBinder;
import io.keyflow.io.gateway.GatewaySpec;
import io.keyflow.io.gateway.ListenAddress;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleException;
import io.keyflow.module.ModuleLoader;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keyflow gateway}: serves a module's HTTP gateway beside a running Keyflow job. */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the HTTP gateway that module.yaml declares (kind "
          + GatewayBinder.KIND
          + "): POST /v1/functions/{namespace}/{type}/{id} calls a function and answers with its"
          + " reply; .../send only sends; GET /v1/invocations/{id} fetches a late reply.",
      "Run as many instances as you like beside the job (`keyflow run` starts one itself); each"
          + " reads every reply, so a fetch or a retried call may reach any of them. Ctrl-C stops.",
      "Before it listens it asks Kafka (for at most 5 s) whether the request and reply topics"
          + " exist, and refuses to start, with status 2, naming the topic and the fix while one"
          + " does not."
    },
    footer = {
      "",
      "Examples:",
      "  keyflow gateway --module module.yaml",
      "  keyflow gateway --module module.yaml --listen 0.0.0.0:8088",
      "  curl -H 'X-Keyflow-Type: shop.types/CartCommand' -d '{\"action\":\"view\"}' \\",
      "      http://127.0.0.1:8080/v1/functions/shop/cart/alice"
    })
public final class GatewayCommand implements Callable<Integer> {
  @Option(
      names = "--module",
      paramLabel = "FILE",
      description = "The module.yaml that declares the gateway. Default: the example shop's.")
  String module;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description = "Where to listen, instead of the module's listen address.")
  String listen;

  @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    Module loaded = ModuleLoader.load(module == null ? RunCommand.EXAMPLE_MODULE : module);
    GatewaySpec spec = Gateway.declaredIn(loaded).orElse(null);
    if (spec == null) {
      System.err.printf(
          "%s declares no gateway; add a document of kind %s (see docs/gateway.md)%n",
          loaded.source(), GatewayBinder.KIND);
      return 2;
    }
    if (listen != null) {
      ListenAddress address = ListenAddress.parseOrNull(listen);
      if (address == null) {
        System.err.printf("--listen %s is not HOST:PORT, such as 0.0.0.0:8080%n", listen);
        return 2;
      }
      spec = spec.listeningOn(address);
    }
    Map<String, String> overrides = kafka.overridesAsMap();
    if (!overrides.isEmpty()) {
      spec = spec.withClientProperties(overrides);
    }
    try {
      Gateway.checkTopics(spec, loaded);
    } catch (ModuleException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    CountDownLatch stop = Shutdown.onSignal();
    try (Gateway gateway = Gateway.start(spec, loaded, Duration.ofSeconds(30))) {
      out.printf(
          "Gateway %s on %s (calls to %s, replies from %s); Ctrl-C stops%n",
          spec.id(), gateway.baseUrl(), spec.requestTopic(), spec.replyTopic());
      out.flush();
      stop.await();
    }
    out.println("Stopped.");
    return 0;
  }
}
