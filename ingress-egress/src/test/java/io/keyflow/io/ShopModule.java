package io.keyflow.io;

import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;

/**
 * Modules for the tests of ingresses and egresses: a shop endpoint, then the documents under test.
 */
public final class ShopModule {
  private static final String ENDPOINT =
      """
      kind: io.statefun.endpoints.v2/http
      spec:
        functions: shop/*
        urlPathTemplate: http://functions:8000/{function.name}
      ---
      """;

  private ShopModule() {}

  /** Parses the shop endpoint followed by {@code documents} as {@code shop/module.yaml}. */
  public static Module parse(String documents) {
    return ModuleLoader.parse("shop/module.yaml", ENDPOINT + documents);
  }
}
