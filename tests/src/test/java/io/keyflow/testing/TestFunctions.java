package io.keyflow.testing;

import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.protocol.types.StringWrapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.message.EgressMessageBuilder;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.types.SimpleType;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * Functions written with the StateFun Java SDK, as users write them, for integration tests. Each
 * reports to the {@code keyflow.test/out} egress as a string {@code id=value}.
 */
public final class TestFunctions {
  public static final TypeName OUT = TypeName.typeNameOf("keyflow.test", "out");
  public static final String STRING_TYPE = "io.statefun.types/string";

  /** A value type of the test's own typename, {@code keyflow.test/Profile}: UTF-8 (JSON) text. */
  public static final Type<String> PROFILE =
      SimpleType.simpleImmutableTypeFrom(
          TypeName.typeNameOf("keyflow.test", "Profile"),
          s -> s.getBytes(StandardCharsets.UTF_8),
          b -> new String(b, StandardCharsets.UTF_8));

  private TestFunctions() {}

  /** Counts messages per id: reports {@code id=count} after each. */
  public static StatefulFunctionSpec counter(String namespace, String name) {
    return countingWith(namespace, name, (context, count) -> {});
  }

  /** What a counting function does besides counting, given the new count. */
  interface AlsoOnCount {
    void accept(Context context, long count);
  }

  /**
   * Counts messages per id, does {@code also}, then reports {@code id=count}: the shape most test
   * functions share.
   */
  private static StatefulFunctionSpec countingWith(
      String namespace, String name, AlsoOnCount also) {
    ValueSpec<Long> count = ValueSpec.named("count").withLongType();
    return StatefulFunctionSpec.builder(TypeName.typeNameOf(namespace, name))
        .withValueSpec(count)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  long next = context.storage().get(count).orElse(0L) + 1;
                  context.storage().set(count, next);
                  also.accept(context, next);
                  report(context, Long.toString(next));
                  return context.done();
                })
        .build();
  }

  /**
   * Counts like {@link #counter}, and with every message also writes a record to {@code
   * keyflow.test/undeclared}, an egress no test module declares.
   */
  public static StatefulFunctionSpec strayEgressCounter(String namespace, String name) {
    TypeName undeclared = TypeName.typeNameOf("keyflow.test", "undeclared");
    return countingWith(
        namespace,
        name,
        (context, count) ->
            context.send(EgressMessageBuilder.forEgress(undeclared).withValue("lost").build()));
  }

  /**
   * Counts like {@link #counter}, and with every message also sends one to {@code ghost/fn} at the
   * same id, a function type no test module binds.
   */
  public static StatefulFunctionSpec messagesAGhost(String namespace, String name) {
    TypeName ghost = TypeName.typeNameOf("ghost", "fn");
    return countingWith(
        namespace, name, (context, count) -> send(context, ghost, context.self().id(), "boo"));
  }

  /**
   * Counts messages and reports {@code id=count}; the first message of an id makes it send itself
   * one more with a negative delay, which must arrive (now) rather than fail the job.
   */
  public static StatefulFunctionSpec negativeDelay(String namespace, String name) {
    TypeName self = TypeName.typeNameOf(namespace, name);
    return countingWith(
        namespace,
        name,
        (context, count) -> {
          if (count == 1) {
            context.sendAfter(
                Duration.ofMillis(-1_000),
                org.apache.flink.statefun.sdk.java.message.MessageBuilder.forAddress(
                        self, context.self().id())
                    .withValue("again")
                    .build());
          }
        });
  }

  /**
   * Remembers that it saw a message, for {@code ttl}: reports {@code id=true} if the value from an
   * earlier message was still there, {@code id=false} otherwise.
   */
  public static StatefulFunctionSpec remembering(String namespace, String name, Duration ttl) {
    ValueSpec<Boolean> seen = ValueSpec.named("seen").thatExpireAfterWrite(ttl).withBooleanType();
    return StatefulFunctionSpec.builder(TypeName.typeNameOf(namespace, name))
        .withValueSpec(seen)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  report(context, Boolean.toString(context.storage().get(seen).isPresent()));
                  context.storage().set(seen, true);
                  return CompletableFuture.completedFuture(null);
                })
        .build();
  }

  /**
   * {@code fan/source} on "N" sends N messages to {@code fan/sink} ids {@code k-0 .. k-(ids-1)}, at
   * most {@code chunk} per invocation, passing the rest on to itself.
   */
  public static StatefulFunctionSpec fanOutSource(int ids, int chunk) {
    TypeName sink = TypeName.typeNameOf("fan", "sink");
    TypeName self = TypeName.typeNameOf("fan", "source");
    return StatefulFunctionSpec.builder(self)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  long remaining = Long.parseLong(message.asUtf8String());
                  long n = Math.min(remaining, chunk);
                  for (long j = 0; j < n; j++) {
                    send(context, sink, "k-" + ((remaining - j) % ids), "1");
                  }
                  if (remaining > n) {
                    send(context, self, context.self().id(), Long.toString(remaining - n));
                  }
                  return context.done();
                })
        .build();
  }

  /**
   * Counts messages per id and writes {@code id=count} (key: id) to {@code topic} through the Kafka
   * egress {@code egress}; with {@code forwardTo}, sends the count on to that function at a random
   * id instead, so it crosses subtasks.
   */
  public static StatefulFunctionSpec kafkaCounter(
      String namespace, String name, TypeName egress, String topic, TypeName forwardTo) {
    ValueSpec<Long> count = ValueSpec.named("count").withLongType();
    return StatefulFunctionSpec.builder(TypeName.typeNameOf(namespace, name))
        .withValueSpec(count)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  long next = context.storage().get(count).orElse(0L) + 1;
                  context.storage().set(count, next);
                  String line = context.self().id() + "=" + next;
                  if (forwardTo != null) {
                    send(context, forwardTo, java.util.UUID.randomUUID().toString(), line);
                  } else {
                    context.send(
                        org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage.forEgress(egress)
                            .withTopic(topic)
                            .withUtf8Key(context.self().id())
                            .withUtf8Value(line)
                            .build());
                  }
                  return context.done();
                })
        .build();
  }

  /**
   * Like {@link #kafkaCounter} without forwarding, but throws (the SDK answers HTTP 500) for the
   * ids in {@code poisoned} while {@code broken} is set.
   */
  public static StatefulFunctionSpec failingKafkaCounter(
      String namespace,
      String name,
      TypeName egress,
      String topic,
      java.util.Set<String> poisoned,
      java.util.concurrent.atomic.AtomicBoolean broken) {
    return misbehavingKafkaCounter(
        namespace,
        name,
        egress,
        topic,
        id -> {
          if (broken.get() && poisoned.contains(id)) {
            throw new IllegalStateException("cannot handle " + id);
          }
          return false;
        });
  }

  /**
   * Like {@link #kafkaCounter} without forwarding, but never answers a call for the ids in {@code
   * hung}: the function's result never completes, so the HTTP exchange stays open until the caller
   * gives up.
   */
  public static StatefulFunctionSpec hangingKafkaCounter(
      String namespace, String name, TypeName egress, String topic, java.util.Set<String> hung) {
    return misbehavingKafkaCounter(namespace, name, egress, topic, hung::contains);
  }

  /**
   * A counter that first asks {@code hangs} whether to leave the call unanswered (it may throw).
   */
  private static StatefulFunctionSpec misbehavingKafkaCounter(
      String namespace,
      String name,
      TypeName egress,
      String topic,
      java.util.function.Predicate<String> hangs) {
    ValueSpec<Long> count = ValueSpec.named("count").withLongType();
    return StatefulFunctionSpec.builder(TypeName.typeNameOf(namespace, name))
        .withValueSpec(count)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  if (hangs.test(context.self().id())) {
                    return new java.util.concurrent.CompletableFuture<>();
                  }
                  long next = context.storage().get(count).orElse(0L) + 1;
                  context.storage().set(count, next);
                  context.send(
                      org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage.forEgress(egress)
                          .withTopic(topic)
                          .withUtf8Key(context.self().id())
                          .withUtf8Value(context.self().id() + "=" + next)
                          .build());
                  return context.done();
                })
        .build();
  }

  /**
   * Writes every message it gets (a string as UTF-8, anything else as its raw bytes) to {@code
   * topic} through Kafka egress {@code egress}.
   */
  public static StatefulFunctionSpec kafkaForwarder(
      String namespace, String name, TypeName egress, String topic) {
    return StatefulFunctionSpec.builder(TypeName.typeNameOf(namespace, name))
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  context.send(
                      org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage.forEgress(egress)
                          .withTopic(topic)
                          .withValue(
                              message.isUtf8String()
                                  ? message.asUtf8String().getBytes(StandardCharsets.UTF_8)
                                  : message.rawValue().toByteArray())
                          .build());
                  return context.done();
                })
        .build();
  }

  public static StatefulFunctions of(StatefulFunctionSpec... specs) {
    StatefulFunctions functions = new StatefulFunctions();
    for (StatefulFunctionSpec spec : specs) {
      functions.withStatefulFunction(spec);
    }
    return functions;
  }

  private static void report(Context context, String value) {
    context.send(
        EgressMessageBuilder.forEgress(OUT).withValue(context.self().id() + "=" + value).build());
  }

  /** A message from an ingress to {@code namespace/name/id} carrying a string. */
  public static Envelope message(String namespace, String name, String id, String text) {
    return Envelope.newBuilder()
        .setTarget(Address.newBuilder().setNamespace(namespace).setType(name).setId(id))
        .setPayload(string(text))
        .build();
  }

  public static TypedValue string(String text) {
    return TypedValue.newBuilder()
        .setTypename(STRING_TYPE)
        .setHasValue(true)
        .setValue(StringWrapper.newBuilder().setValue(text).build().toByteString())
        .build();
  }

  /** Decodes a report {@code id=value}, or null if the record is not one. */
  static String[] reportOrNull(TypedValue value) {
    if (!value.getTypename().equals(STRING_TYPE)) {
      return null;
    }
    try {
      String text = StringWrapper.parseFrom(value.getValue()).getValue();
      int eq = text.lastIndexOf('=');
      return eq < 0 ? null : new String[] {text.substring(0, eq), text.substring(eq + 1)};
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * One side of a ping-pong between ids {@code p-N} (type {@code namespace/ping}) and {@code q-N}
   * (type {@code namespace/pong}). Counts hits per id and reports them. A ping with {@code r > 0}
   * sends r to its pong; a pong sends {@code r - 1} back. So a ping started with R ends with R+1
   * hits and its pong with R.
   */
  public static StatefulFunctionSpec pingPong(String namespace, boolean ping) {
    ValueSpec<Long> hits = ValueSpec.named("hits").withLongType();
    TypeName other = TypeName.typeNameOf(namespace, ping ? "pong" : "ping");
    return StatefulFunctionSpec.builder(TypeName.typeNameOf(namespace, ping ? "ping" : "pong"))
        .withValueSpec(hits)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  long next = context.storage().get(hits).orElse(0L) + 1;
                  context.storage().set(hits, next);
                  report(context, Long.toString(next));
                  long rounds = Long.parseLong(message.asUtf8String());
                  String suffix = context.self().id().substring(2);
                  String peer = (ping ? "q-" : "p-") + suffix;
                  if (ping && rounds > 0) {
                    send(context, other, peer, Long.toString(rounds));
                  } else if (!ping) {
                    send(context, other, peer, Long.toString(rounds - 1));
                  }
                  return context.done();
                })
        .build();
  }

  /**
   * {@code order/sender} on "N" sends 1..N to {@code order/receiver} at id {@code r-<own id>}; the
   * receiver reports the last number if every number came in order, else {@code -1} forever.
   */
  public static StatefulFunctionSpec orderSender() {
    TypeName receiver = TypeName.typeNameOf("order", "receiver");
    return StatefulFunctionSpec.builder(TypeName.typeNameOf("order", "sender"))
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  int n = Integer.parseInt(message.asUtf8String());
                  for (int i = 1; i <= n; i++) {
                    send(context, receiver, "r-" + context.self().id(), Integer.toString(i));
                  }
                  return context.done();
                })
        .build();
  }

  public static StatefulFunctionSpec orderReceiver() {
    ValueSpec<Long> last = ValueSpec.named("last").withLongType();
    return StatefulFunctionSpec.builder(TypeName.typeNameOf("order", "receiver"))
        .withValueSpec(last)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  long previous = context.storage().get(last).orElse(0L);
                  long got = Long.parseLong(message.asUtf8String());
                  long next = previous < 0 || got != previous + 1 ? -1 : got;
                  context.storage().set(last, next);
                  report(context, Long.toString(next));
                  return context.done();
                })
        .build();
  }

  private static void send(Context context, TypeName type, String id, String text) {
    context.send(
        org.apache.flink.statefun.sdk.java.message.MessageBuilder.forAddress(type, id)
            .withValue(text)
            .build());
  }

  /** Decodes a report {@code id=value}. */
  public static String[] report(TypedValue value) {
    try {
      String text = StringWrapper.parseFrom(value.getValue()).getValue();
      int eq = text.lastIndexOf('=');
      return new String[] {text.substring(0, eq), text.substring(eq + 1)};
    } catch (Exception e) {
      throw new AssertionError("not a report: " + value, e);
    }
  }

  /** The highest count reported per id. */
  public static Map<String, Long> maxCounts(List<TypedValue> reports) {
    Map<String, Long> max = new HashMap<>();
    for (TypedValue report : reports) {
      String[] parts = report(report);
      max.merge(parts[0], Long.parseLong(parts[1]), Math::max);
    }
    return max;
  }
}
