package io.keyflow.testkit.unit;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;

/**
 * Calls functions the way Keyflow does, without Flink: each call is a real {@code ToFunction}
 * request, answered through the SDK's request-reply handler (or over HTTP), and the {@code
 * FromFunction} response is decoded into an {@link InvocationResult} to assert on.
 *
 * <pre>{@code
 * FunctionTester shop = FunctionTester.of(ShopApp.functions(settings));
 * InvocationResult result =
 *     shop.invoke(CartFn.TYPE, "alice").message(CART_COMMAND, add("apple", 2)).call();
 * }</pre>
 *
 * <p>Every call starts as a fresh Keyflow job would: it sends no state first, lets the function
 * name the values it declares, then sends them. A function that uses a value it does not declare
 * fails the call as it fails in production. A tester is safe to share; calls are independent.
 */
public final class FunctionTester {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final FunctionTransport transport;
  private final Duration timeout;

  private FunctionTester(FunctionTransport transport, Duration timeout) {
    this.transport = transport;
    this.timeout = timeout;
  }

  /** Calls the functions of a Java SDK {@code StatefulFunctions} in this JVM. */
  public static FunctionTester of(StatefulFunctions functions) {
    return of(functions.requestReplyHandler());
  }

  /** Calls an SDK request-reply handler in this JVM (for example one wrapped for metrics). */
  public static FunctionTester of(RequestReplyHandler handler) {
    return new FunctionTester(new SdkTransport(Objects.requireNonNull(handler)), DEFAULT_TIMEOUT);
  }

  /**
   * Calls functions served over HTTP by any StateFun SDK: each request is POSTed to {@code url} as
   * is (the URL of the function, as {@code urlPathTemplate} would produce it).
   */
  public static FunctionTester at(String url) {
    URI uri = URI.create(url);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException(
          "the function URL " + url + " is not http or https; give the URL the function serves");
    }
    return new FunctionTester(new HttpTransport(uri), DEFAULT_TIMEOUT);
  }

  /** The same tester with another limit on each call (default 30 s). */
  public FunctionTester withTimeout(Duration timeout) {
    return new FunctionTester(transport, timeout);
  }

  /** Starts a call to {@code type/id}. */
  public Invocation invoke(TypeName type, String id) {
    return invoke(new Address(type, id));
  }

  /** Starts a call to {@code address}. */
  public Invocation invoke(Address address) {
    return new Invocation(transport, timeout, address);
  }
}
