package com.example.wordcount;

import java.util.concurrent.CompletableFuture;
import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;

/**
 * Two functions: {@code wordcount/word} (one per word) counts how often its word was seen and
 * writes the count to the topic {@code counts}; it sends 1 to {@code wordcount/total/all}, which
 * adds it up and writes the total to {@code totals}.
 */
public final class WordCount {
  public static final TypeName WORD = TypeName.typeNameOf("wordcount", "word");
  public static final TypeName TOTAL = TypeName.typeNameOf("wordcount", "total");
  public static final TypeName OUT = TypeName.typeNameOf("wordcount", "out");
  public static final ValueSpec<Long> SEEN = ValueSpec.named("seen").withLongType();

  private WordCount() {}

  public static StatefulFunctions functions() {
    return new StatefulFunctions()
        .withStatefulFunction(
            StatefulFunctionSpec.builder(WORD)
                .withValueSpec(SEEN)
                .withSupplier(() -> WordCount::word)
                .build())
        .withStatefulFunction(
            StatefulFunctionSpec.builder(TOTAL)
                .withValueSpec(SEEN)
                .withSupplier(() -> WordCount::total)
                .build());
  }

  private static CompletableFuture<Void> word(Context context, Message message) {
    long seen = context.storage().get(SEEN).orElse(0L) + 1;
    context.storage().set(SEEN, seen);
    write(context, "counts", context.self().id(), seen);
    context.send(MessageBuilder.forAddress(new Address(TOTAL, "all")).withValue(1L).build());
    return context.done();
  }

  private static CompletableFuture<Void> total(Context context, Message message) {
    long seen = context.storage().get(SEEN).orElse(0L) + message.asLong();
    context.storage().set(SEEN, seen);
    write(context, "totals", context.self().id(), seen);
    return context.done();
  }

  private static void write(Context context, String topic, String key, long count) {
    context.send(
        KafkaEgressMessage.forEgress(OUT)
            .withTopic(topic)
            .withUtf8Key(key)
            .withUtf8Value(Long.toString(count))
            .build());
  }
}
