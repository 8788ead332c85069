package io.keyflow.gateway;

import io.keyflow.functions.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.types.SimpleType;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * Functions the gateway tests call, written with the StateFun Java SDK. Each counts the calls per
 * id and replies {@code <request text>|<count>}, so a reply shows both whose call it answers and
 * how many times the instance's state changed.
 */
final class GatewayFunctions {
  static final Type<String> TEXT =
      SimpleType.simpleImmutableTypeFrom(
          TypeName.typeNameOf("gw.types", "text"),
          s -> s.getBytes(StandardCharsets.UTF_8),
          b -> new String(b, StandardCharsets.UTF_8));

  /** Invocations the function server saw, per function type and id (retries included). */
  final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();

  private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

  /**
   * What {@code gw/flaky} does before it answers its first invocation: the failure test makes the
   * job fail there and holds the answer until it has.
   */
  volatile Runnable beforeFlakyAnswer = () -> {};

  StatefulFunctions all(Duration slowDelay) {
    return new StatefulFunctions()
        .withStatefulFunction(counting("counter", (context, reply) -> done(context, reply)))
        .withStatefulFunction(
            counting(
                "slow",
                (context, reply) -> {
                  CompletableFuture<Void> answered = new CompletableFuture<>();
                  later.schedule(
                      () -> {
                        Reply.to(context, TEXT, reply);
                        answered.complete(null);
                      },
                      slowDelay.toMillis(),
                      TimeUnit.MILLISECONDS);
                  return answered;
                }))
        .withStatefulFunction(
            counting(
                "flaky",
                (context, reply) -> {
                  Reply.to(context, TEXT, reply);
                  if (count("flaky", context.self().id()) == 1) {
                    return CompletableFuture.runAsync(beforeFlakyAnswer);
                  }
                  return context.done();
                }));
  }

  int count(String type, String id) {
    AtomicInteger n = invocations.get(type + "/" + id);
    return n == null ? 0 : n.get();
  }

  void close() {
    later.shutdownNow();
  }

  private interface Answer {
    CompletableFuture<Void> answer(Context context, String reply);
  }

  private static CompletableFuture<Void> done(Context context, String reply) {
    Reply.to(context, TEXT, reply);
    return context.done();
  }

  private StatefulFunctionSpec counting(String name, Answer answer) {
    ValueSpec<Long> count = ValueSpec.named("count").withLongType();
    return StatefulFunctionSpec.builder(TypeName.typeNameOf("gw", name))
        .withValueSpec(count)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  invocations
                      .computeIfAbsent(name + "/" + context.self().id(), k -> new AtomicInteger())
                      .incrementAndGet();
                  long next = context.storage().get(count).orElse(0L) + 1;
                  context.storage().set(count, next);
                  return answer.answer(context, message.as(TEXT) + "|" + next);
                })
        .build();
  }
}
