package io.keyflow.testkit.unit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;
import org.apache.flink.statefun.sdk.java.message.EgressMessageBuilder;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.apache.flink.statefun.sdk.java.types.Types;

/** Small SDK functions that exercise every kind of effect, for the kit's own tests. */
final class CounterFunctions {
  static final TypeName COUNTER = TypeName.typeNameOf("test", "counter");
  static final TypeName FORGETFUL = TypeName.typeNameOf("test", "forgetful");
  static final TypeName ECHO = TypeName.typeNameOf("test", "echo");
  static final TypeName OUT = TypeName.typeNameOf("test", "out");
  static final ValueSpec<Integer> COUNT = ValueSpec.named("count").withIntType();
  static final ValueSpec<String> LAST = ValueSpec.named("last").withUtf8StringType();
  static final Duration REMINDER = Duration.ofSeconds(5);

  private CounterFunctions() {}

  static StatefulFunctions functions() {
    return new StatefulFunctions()
        .withStatefulFunction(
            StatefulFunctionSpec.builder(COUNTER)
                .withValueSpecs(COUNT, LAST)
                .withSupplier(() -> CounterFunctions::counter)
                .build())
        .withStatefulFunction(
            StatefulFunctionSpec.builder(FORGETFUL)
                .withSupplier(() -> CounterFunctions::forgetful)
                .build())
        .withStatefulFunction(
            StatefulFunctionSpec.builder(ECHO).withSupplier(() -> CounterFunctions::echo).build());
  }

  /**
   * Commands as strings: {@code inc} counts and writes the count to Kafka and to a gateway caller;
   * {@code forward} sends to {@code test/echo/<id>}; {@code remind} sends itself {@code inc} after
   * five seconds and notes it on {@code reminders}; {@code cancel} cancels that; {@code reset}
   * deletes the count; {@code generic} writes to the generic egress {@code test/out}.
   */
  private static CompletableFuture<Void> counter(Context context, Message message) {
    // From Kafka the command is plain UTF-8 (test.types/command); from tests, an SDK string.
    String command =
        message.isUtf8String()
            ? message.asUtf8String()
            : new String(message.rawValue().toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
    String id = context.self().id();
    context.storage().set(LAST, command);
    switch (command) {
      case "inc" -> {
        int count = context.storage().get(COUNT).orElse(0) + 1;
        context.storage().set(COUNT, count);
        context.send(
            KafkaEgressMessage.forEgress(OUT)
                .withTopic("counts")
                .withUtf8Key(id)
                .withUtf8Value(Integer.toString(count))
                .build());
        context
            .caller()
            .filter(caller -> caller.type().equals(TypeName.typeNameOf("keyflow", "reply")))
            .ifPresent(
                caller -> context.send(MessageBuilder.forAddress(caller).withValue(count).build()));
      }
      case "forward" ->
          context.send(MessageBuilder.forAddress(new Address(ECHO, id)).withValue("hello").build());
      case "remind" -> {
        context.sendAfter(
            REMINDER,
            "remind-" + id,
            MessageBuilder.forAddress(context.self()).withValue("inc").build());
        context.send(
            KafkaEgressMessage.forEgress(OUT)
                .withTopic("reminders")
                .withUtf8Key(id)
                .withUtf8Value("in " + REMINDER)
                .build());
      }
      case "later" ->
          context.sendAfter(
              REMINDER, MessageBuilder.forAddress(context.self()).withValue("inc").build());
      case "cancel" -> context.cancelDelayedMessage("remind-" + id);
      case "reset" -> context.storage().remove(COUNT);
      case "generic" ->
          context.send(EgressMessageBuilder.forEgress(OUT).withValue("record of " + id).build());
      default -> throw new IllegalArgumentException("unknown command " + command);
    }
    return context.done();
  }

  /** Uses a value it never declared. */
  private static CompletableFuture<Void> forgetful(Context context, Message message) {
    context.storage().set(LAST, message.asUtf8String());
    return context.done();
  }

  /** Declares nothing and answers each message with the same text to its caller. */
  private static CompletableFuture<Void> echo(Context context, Message message) {
    context
        .caller()
        .ifPresent(
            caller ->
                context.send(
                    MessageBuilder.forAddress(caller).withValue(message.asUtf8String()).build()));
    return context.done();
  }

  static String typeOfStrings() {
    return Types.stringType().typeName().asTypeNameString();
  }
}
