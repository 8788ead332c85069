package io.keyflow.cli.bench;

import io.keyflow.functions.FunctionServer;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;

/**
 * The benchmark's functions, served by their own process so that its CPU is measured apart: {@code
 * bench/counter} counts per id and writes {@code id=count} to the egress topic; {@code
 * bench/forward} passes each message on to the counter of the same id.
 */
public final class BenchFunctions {
  static final TypeName COUNTER = TypeName.typeNameOf("bench", "counter");
  static final TypeName FORWARD = TypeName.typeNameOf("bench", "forward");
  static final TypeName EGRESS = TypeName.typeNameOf("bench", "out");

  private BenchFunctions() {}

  static StatefulFunctions functions(String outTopic) {
    ValueSpec<Long> count = ValueSpec.named("count").withLongType();
    return new StatefulFunctions()
        .withStatefulFunction(
            StatefulFunctionSpec.builder(COUNTER)
                .withValueSpec(count)
                .withSupplier(
                    () ->
                        (Context context, Message message) -> {
                          long next = context.storage().get(count).orElse(0L) + 1;
                          context.storage().set(count, next);
                          String id = context.self().id();
                          context.send(
                              KafkaEgressMessage.forEgress(EGRESS)
                                  .withTopic(outTopic)
                                  .withUtf8Key(id)
                                  .withUtf8Value(id + "=" + next + "|" + payload(message))
                                  .build());
                          return CompletableFuture.completedFuture(null);
                        })
                .build())
        .withStatefulFunction(
            StatefulFunctionSpec.builder(FORWARD)
                .withSupplier(
                    () ->
                        (Context context, Message message) -> {
                          context.send(
                              MessageBuilder.forAddress(COUNTER, context.self().id())
                                  .withValue(payload(message))
                                  .build());
                          return CompletableFuture.completedFuture(null);
                        })
                .build());
  }

  /** The message as text: the record value from the ingress, or what a forward passed on. */
  private static String payload(Message message) {
    return message.isUtf8String()
        ? message.asUtf8String()
        : new String(message.rawValue().toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Arguments: PORT OUT_TOPIC. Prints a ready line and serves until the process is stopped. */
  public static void main(String[] args) throws InterruptedException {
    FunctionServer server =
        FunctionServer.start(functions(args[1]), "127.0.0.1", Integer.parseInt(args[0]));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("bench functions ready on " + server.baseUrl());
    Thread.currentThread().join();
  }
}
