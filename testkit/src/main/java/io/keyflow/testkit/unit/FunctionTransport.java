package io.keyflow.testkit.unit;

import java.time.Duration;

/** Carries one serialized {@code ToFunction} to a function and brings its {@code FromFunction}. */
interface FunctionTransport {
  /**
   * @throws FunctionCallFailed if the function failed or did not answer within {@code timeout}
   */
  byte[] exchange(byte[] toFunction, Duration timeout);

  /** Where the functions are, for messages. */
  String describe();
}
