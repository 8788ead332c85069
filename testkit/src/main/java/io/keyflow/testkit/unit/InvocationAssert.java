package io.keyflow.testkit.unit;

import io.keyflow.testkit.Value;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * Assertions on an {@link InvocationResult}. Values are compared after reading them with the given
 * SDK type, so records compare by content. A failed assertion says what was expected and lists
 * everything the call did.
 *
 * <pre>{@code
 * assertThat(result)
 *     .hasState(CartFn.STATE, new CartState(Map.of(), 1))
 *     .sent(new Address(CheckoutFn.TYPE, "alice-1"), ORDER_REQUEST, request)
 *     .wroteKafka("cart-views", "alice", CART_VIEW, view);
 * }</pre>
 */
public final class InvocationAssert {
  private final InvocationResult result;

  private InvocationAssert(InvocationResult result) {
    this.result = Objects.requireNonNull(result, "result");
  }

  /** Starts assertions on {@code result}. */
  public static InvocationAssert assertThat(InvocationResult result) {
    return new InvocationAssert(result);
  }

  /** The address holds {@code expected} in {@code spec} after the call. */
  public <T> InvocationAssert hasState(ValueSpec<T> spec, T expected) {
    Value actual = result.stateAfter().get(spec.name());
    if (actual == null
        || !actual.hasType(spec.type())
        || !expected.equals(read(actual, spec.type()))) {
      fail(
          "to hold "
              + spec.name()
              + " = "
              + expected
              + " after the call, but it holds "
              + (actual == null ? "no value" : shown(actual, spec.type())));
    }
    return this;
  }

  /** The address holds no value in {@code spec} after the call (never set, or deleted). */
  public InvocationAssert hasNoState(ValueSpec<?> spec) {
    Value actual = result.stateAfter().get(spec.name());
    if (actual != null) {
      fail(
          "to hold no "
              + spec.name()
              + " after the call, but it holds "
              + shown(actual, spec.type()));
    }
    return this;
  }

  /** One of the messages sent without delay went to {@code target} with {@code value}. */
  public <T> InvocationAssert sent(Address target, Type<T> type, T value) {
    if (result.sent().stream()
        .noneMatch(m -> m.target().equals(target) && matches(m.value(), type, value))) {
      fail("to send to " + Addresses.show(target) + ": " + expectation(type, value));
    }
    return this;
  }

  /** No message was sent to a function without delay. */
  public InvocationAssert sentNothing() {
    if (!result.sent().isEmpty()) {
      fail("to send no message");
    }
    return this;
  }

  /** One of the delayed messages goes to {@code target} after {@code delay} with {@code value}. */
  public <T> InvocationAssert sentDelayed(Address target, Duration delay, Type<T> type, T value) {
    if (result.delayed().stream()
        .noneMatch(
            m ->
                m.target().equals(target)
                    && m.delay().equals(delay)
                    && matches(m.value(), type, value))) {
      fail(
          "to send to "
              + Addresses.show(target)
              + " after "
              + delay.toMillis()
              + " ms: "
              + expectation(type, value));
    }
    return this;
  }

  /**
   * One of the delayed messages goes to {@code target} after {@code delay} with {@code value} and
   * can be cancelled with {@code token}.
   */
  public <T> InvocationAssert sentCancellable(
      String token, Address target, Duration delay, Type<T> type, T value) {
    if (result.delayed().stream()
        .noneMatch(
            m ->
                m.cancellationToken().equals(token)
                    && m.target().equals(target)
                    && m.delay().equals(delay)
                    && matches(m.value(), type, value))) {
      fail(
          "to send to "
              + Addresses.show(target)
              + " after "
              + delay.toMillis()
              + " ms with token '"
              + token
              + "': "
              + expectation(type, value));
    }
    return this;
  }

  /** The delayed message with {@code token} was cancelled. */
  public InvocationAssert cancelled(String token) {
    if (!result.cancelled().contains(token)) {
      fail("to cancel the delayed message with token '" + token + "'");
    }
    return this;
  }

  /** One of the Kafka egress records went to {@code topic} with {@code key} and {@code value}. */
  public <T> InvocationAssert wroteKafka(String topic, String key, Type<T> type, T value) {
    return kafka(
        topic,
        key,
        r -> {
          try {
            return value.equals(r.valueAs(type));
          } catch (AssertionError unreadable) {
            return false;
          }
        },
        expectation(type, value));
  }

  /** One of the Kafka egress records went to {@code topic} with {@code key} and this text. */
  public InvocationAssert wroteKafka(String topic, String key, String utf8Value) {
    return kafka(topic, key, r -> r.utf8Value().equals(utf8Value), "'" + utf8Value + "'");
  }

  private InvocationAssert kafka(
      String topic, String key, Predicate<KafkaRecord> value, String expected) {
    if (result.kafkaRecords().stream()
        .noneMatch(r -> r.topic().equals(topic) && r.key().equals(key) && value.test(r))) {
      fail("to write to topic " + topic + ", key '" + key + "': " + expected);
    }
    return this;
  }

  /** One of the records sent to the egress {@code egress} is {@code value}. */
  public <T> InvocationAssert emitted(TypeName egress, Type<T> type, T value) {
    if (result.egress().stream()
        .noneMatch(r -> r.egress().equals(egress) && matches(r.value(), type, value))) {
      fail("to send to egress " + egress.asTypeNameString() + ": " + expectation(type, value));
    }
    return this;
  }

  /** The function replied {@code value} to a gateway caller. */
  public <T> InvocationAssert replied(Type<T> type, T value) {
    if (result.replies().stream().noneMatch(r -> matches(r, type, value))) {
      fail("to reply " + expectation(type, value));
    }
    return this;
  }

  /** The function replied to no gateway caller. */
  public InvocationAssert repliedNothing() {
    if (!result.replies().isEmpty()) {
      fail("to reply nothing");
    }
    return this;
  }

  private static <T> boolean matches(Value actual, Type<T> type, T expected) {
    return actual.hasType(type) && expected.equals(read(actual, type));
  }

  private static <T> T read(Value value, Type<T> type) {
    try {
      return value.as(type);
    } catch (AssertionError unreadable) {
      return null;
    }
  }

  private static String shown(Value actual, Type<?> type) {
    Object read = actual.hasType(type) ? read(actual, type) : null;
    return read != null ? String.valueOf(read) : actual.toString();
  }

  private static String expectation(Type<?> type, Object value) {
    return type.typeName().asTypeNameString() + " " + value;
  }

  private void fail(String expectation) {
    throw new AssertionError(
        "Expected "
            + Addresses.show(result.address())
            + " "
            + expectation
            + "\nbut the call did:"
            + result.describe());
  }

  /** The result under assertion, for checks of one's own. */
  public InvocationResult result() {
    return result;
  }

  /** The only reply, read with {@code type}; fails unless there is exactly one. */
  public <T> T singleReply(Type<T> type) {
    if (result.replies().size() != 1) {
      fail("to reply exactly once");
    }
    return Optional.of(result.replies().get(0)).map(v -> v.as(type)).orElseThrow();
  }
}
