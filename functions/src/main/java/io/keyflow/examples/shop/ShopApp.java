package io.keyflow.examples.shop;

import io.keyflow.functions.FunctionServer;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;

/**
 * The example shop: {@code shop/cart}, {@code shop/inventory} and {@code shop/checkout}, written
 * with the StateFun Java SDK and served by Undertow. The root {@code module.yaml} binds them and
 * their Kafka topics.
 */
public final class ShopApp {
  /** The port the root {@code module.yaml} expects the functions on. */
  public static final int DEFAULT_PORT = 8000;

  /** The topics the shop writes its events to. */
  public static final java.util.List<String> OUTPUT_TOPICS =
      java.util.List.of(
          ShopOutput.CART_VIEWS, ShopOutput.ORDERS, ShopOutput.STOCK, ShopOutput.CART_REMINDERS);

  private ShopApp() {}

  /** The shop's functions with the given settings. */
  public static StatefulFunctions functions(ShopSettings settings) {
    return new StatefulFunctions()
        .withStatefulFunction(
            StatefulFunctionSpec.builder(CartFn.TYPE)
                .withValueSpec(CartFn.STATE)
                .withSupplier(() -> new CartFn(new CartReminders(settings.cartReminder())))
                .build())
        .withStatefulFunction(
            StatefulFunctionSpec.builder(InventoryFn.TYPE)
                .withValueSpec(InventoryFn.STATE)
                .withSupplier(InventoryFn::new)
                .build())
        .withStatefulFunction(
            StatefulFunctionSpec.builder(CheckoutFn.TYPE)
                .withValueSpec(CheckoutFn.STATE)
                .withSupplier(() -> new CheckoutFn(settings))
                .build());
  }

  /** Serves the shop on {@code host:port} (port 0: any free port). */
  public static FunctionServer serve(ShopSettings settings, String host, int port) {
    return FunctionServer.start(functions(settings), host, port);
  }

  /**
   * Runs the shop's function server until the process ends: {@code PORT} (default 8000) and {@code
   * HOST} (default 0.0.0.0) from the environment, settings as in {@link
   * ShopSettings#fromEnvironment()}.
   */
  public static void main(String[] args) throws InterruptedException {
    String host = System.getenv().getOrDefault("HOST", "0.0.0.0");
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "" + DEFAULT_PORT));
    FunctionServer server = serve(ShopSettings.fromEnvironment(), host, port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("Shop functions listening on " + server.baseUrl());
    Thread.currentThread().join();
  }
}
