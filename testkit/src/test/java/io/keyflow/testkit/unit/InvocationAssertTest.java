package io.keyflow.testkit.unit;

import static io.keyflow.testkit.unit.CounterFunctions.COUNT;
import static io.keyflow.testkit.unit.CounterFunctions.COUNTER;
import static io.keyflow.testkit.unit.CounterFunctions.ECHO;
import static io.keyflow.testkit.unit.CounterFunctions.LAST;
import static io.keyflow.testkit.unit.CounterFunctions.OUT;
import static io.keyflow.testkit.unit.InvocationAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.types.Type;
import org.apache.flink.statefun.sdk.java.types.Types;
import org.junit.jupiter.api.Test;

/** Each assertion passes on what the call did and fails with a message listing what it did. */
class InvocationAssertTest {
  private static final Type<String> TEXT = Types.stringType();
  private static final Address SELF = new Address(COUNTER, "a");

  private final FunctionTester tester = FunctionTester.of(CounterFunctions.functions());

  private InvocationResult call(String command) {
    return tester.invoke(SELF).withState(COUNT, 1).message(TEXT, command).call();
  }

  @Test
  void hasState() {
    InvocationResult inc = call("inc");
    assertThatCode(() -> assertThat(inc).hasState(COUNT, 2)).doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(inc).hasState(COUNT, 3))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith(
            "Expected test/counter/a to hold count = 3 after the call, but it holds 2\n"
                + "but the call did:\n"
                + "  state after:\n"
                + "    count = io.statefun.types/int ");
    InvocationResult reset = call("reset");
    assertThatThrownBy(() -> assertThat(reset).hasState(COUNT, 1))
        .hasMessageStartingWith(
            "Expected test/counter/a to hold count = 1 after the call, but it holds no value");
  }

  @Test
  void hasNoState() {
    InvocationResult reset = call("reset");
    assertThatCode(() -> assertThat(reset).hasNoState(COUNT)).doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(reset).hasNoState(LAST))
        .hasMessageStartingWith(
            "Expected test/counter/a to hold no last after the call, but it holds reset");
  }

  @Test
  void sent() {
    InvocationResult forward = call("forward");
    Address echo = new Address(ECHO, "a");
    assertThatCode(() -> assertThat(forward).sent(echo, TEXT, "hello")).doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(forward).sent(echo, TEXT, "bye"))
        .hasMessageContaining(
            "Expected test/counter/a to send to test/echo/a: io.statefun.types/string bye\n"
                + "but the call did:")
        .hasMessageContaining("  sent:\n    to test/echo/a: io.statefun.types/string ");
    assertThatThrownBy(() -> assertThat(forward).sent(new Address(ECHO, "b"), TEXT, "hello"))
        .hasMessageStartingWith(
            "Expected test/counter/a to send to test/echo/b: io.statefun.types/string hello");
  }

  @Test
  void sentNothing() {
    assertThatCode(() -> assertThat(call("inc")).sentNothing()).doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(call("forward")).sentNothing())
        .hasMessageStartingWith("Expected test/counter/a to send no message\nbut the call did:")
        .hasMessageContaining("  sent:\n    to test/echo/a");
  }

  @Test
  void sentDelayed() {
    InvocationResult remind = call("remind");
    assertThatCode(() -> assertThat(remind).sentDelayed(SELF, Duration.ofSeconds(5), TEXT, "inc"))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () -> assertThat(remind).sentDelayed(SELF, Duration.ofSeconds(6), TEXT, "inc"))
        .hasMessageStartingWith(
            "Expected test/counter/a to send to test/counter/a after 6000 ms:"
                + " io.statefun.types/string inc\nbut the call did:")
        .hasMessageContaining(
            "  delayed:\n    to test/counter/a after 5000 ms (token 'remind-a'):"
                + " io.statefun.types/string ");
  }

  @Test
  void sentCancellable() {
    InvocationResult remind = call("remind");
    assertThatCode(
            () ->
                assertThat(remind)
                    .sentCancellable("remind-a", SELF, Duration.ofSeconds(5), TEXT, "inc"))
        .doesNotThrowAnyException();
    InvocationResult later = call("later");
    assertThatThrownBy(
            () ->
                assertThat(later)
                    .sentCancellable("remind-a", SELF, Duration.ofSeconds(5), TEXT, "inc"))
        .hasMessageStartingWith(
            "Expected test/counter/a to send to test/counter/a after 5000 ms with token"
                + " 'remind-a': io.statefun.types/string inc\nbut the call did:")
        .hasMessageContaining("  delayed:\n    to test/counter/a after 5000 ms: ");
  }

  @Test
  void cancelled() {
    assertThatCode(() -> assertThat(call("cancel")).cancelled("remind-a"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(call("cancel")).cancelled("other"))
        .hasMessageStartingWith(
            "Expected test/counter/a to cancel the delayed message with token 'other'\n"
                + "but the call did:")
        .hasMessageContaining("  cancelled:\n    token 'remind-a'");
  }

  @Test
  void wroteKafkaWithAType() {
    InvocationResult inc = call("inc");
    Type<String> raw = rawUtf8();
    assertThatCode(() -> assertThat(inc).wroteKafka("counts", "a", raw, "2"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(inc).wroteKafka("counts", "a", raw, "3"))
        .hasMessageStartingWith(
            "Expected test/counter/a to write to topic counts, key 'a': test/utf8 3\n"
                + "but the call did:")
        .hasMessageContaining("  egress:\n    to egress test/out: topic counts, key 'a': '2'");
  }

  @Test
  void wroteKafkaAsText() {
    InvocationResult inc = call("inc");
    assertThatCode(() -> assertThat(inc).wroteKafka("counts", "a", "2")).doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(inc).wroteKafka("other", "a", "2"))
        .hasMessageStartingWith(
            "Expected test/counter/a to write to topic other, key 'a': '2'\nbut the call did:");
  }

  @Test
  void emitted() {
    InvocationResult generic = call("generic");
    assertThatCode(() -> assertThat(generic).emitted(OUT, TEXT, "record of a"))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () -> assertThat(generic).emitted(TypeName.typeNameOf("x", "y"), TEXT, "record of a"))
        .hasMessageStartingWith(
            "Expected test/counter/a to send to egress x/y: io.statefun.types/string record of a\n"
                + "but the call did:")
        .hasMessageContaining("  egress:\n    to egress test/out: io.statefun.types/string ");
  }

  @Test
  void replied() {
    InvocationResult called = tester.invoke(SELF).gatewayCall(TEXT, "inc").call();
    assertThatCode(() -> assertThat(called).replied(Types.integerType(), 1))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(called).replied(Types.integerType(), 2))
        .hasMessageStartingWith(
            "Expected test/counter/a to reply io.statefun.types/int 2\nbut the call did:")
        .hasMessageContaining("  replies:\n    io.statefun.types/int ");
  }

  @Test
  void repliedNothing() {
    assertThatCode(() -> assertThat(call("inc")).repliedNothing()).doesNotThrowAnyException();
    InvocationResult called = tester.invoke(SELF).gatewayCall(TEXT, "inc").call();
    assertThatThrownBy(() -> assertThat(called).repliedNothing())
        .hasMessageStartingWith("Expected test/counter/a to reply nothing\nbut the call did:");
  }

  @Test
  void singleReply() {
    InvocationResult called = tester.invoke(SELF).gatewayCall(TEXT, "inc").call();
    org.assertj.core.api.Assertions.assertThat(assertThat(called).singleReply(Types.integerType()))
        .isEqualTo(1);
    assertThatThrownBy(() -> assertThat(call("inc")).singleReply(Types.integerType()))
        .hasMessageStartingWith("Expected test/counter/a to reply exactly once\nbut the call did:")
        .hasMessageContaining("  replies: none");
  }

  @Test
  void theFailureMessageListsEveryKindOfEffect() {
    assertThatThrownBy(() -> assertThat(call("forward")).sentNothing())
        .hasMessageContainingAll(
            "\n  state after:\n    count = ",
            "\n  sent:\n    to test/echo/a",
            "\n  delayed: none",
            "\n  cancelled: none",
            "\n  egress: none",
            "\n  replies: none");
  }

  /** Kafka values carry no typename; this type reads them as plain UTF-8 text. */
  private static Type<String> rawUtf8() {
    return org.apache.flink.statefun.sdk.java.types.SimpleType.simpleImmutableTypeFrom(
        TypeName.typeNameOf("test", "utf8"),
        s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        b -> new String(b, java.nio.charset.StandardCharsets.UTF_8));
  }
}
