package io.keyflow.testkit.unit;

import org.apache.flink.statefun.sdk.java.StatefulFunctions;

/** Lets the kit's integration tests in other packages serve {@link CounterFunctions}. */
public final class CounterFunctionsAccess {
  private CounterFunctionsAccess() {}

  public static StatefulFunctions functions() {
    return CounterFunctions.functions();
  }
}
