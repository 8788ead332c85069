package io.keyflow.cli.bench;

import io.keyflow.functions.FunctionServer;
import io.keyflow.functions.Reply;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.util.HttpString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.apache.flink.statefun.sdk.java.types.SimpleType;
import org.apache.flink.statefun.sdk.java.types.Type;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;

/**
 * The benchmark's functions, served by their own process so that its CPU is measured apart: {@code
 * bench/counter} counts per id and writes {@code id=count} to the egress topic; {@code
 * bench/forward} passes each message on to the counter of the same id. A call through the HTTP
 * gateway also gets the counter's line as its reply.
 *
 * <p>One server lasts for the whole benchmark, so that its warm-up counts once. Each run writes to
 * a topic of its own, which the run's endpoint names in the {@value #OUT_TOPIC_HEADER} header.
 */
public final class BenchFunctions {
  /** The request header naming the topic the counter writes to. */
  static final String OUT_TOPIC_HEADER = "X-Bench-Out";

  static final TypeName COUNTER = TypeName.typeNameOf("bench", "counter");
  static final TypeName FORWARD = TypeName.typeNameOf("bench", "forward");
  static final TypeName EGRESS = TypeName.typeNameOf("bench", "out");

  static final Type<String> TEXT =
      SimpleType.simpleImmutableTypeFrom(
          TypeName.typeNameOf("bench.types", "text"),
          s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          b -> new String(b, java.nio.charset.StandardCharsets.UTF_8));

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
                          String line = id + "=" + next + "|" + payload(message);
                          context.send(
                              KafkaEgressMessage.forEgress(EGRESS)
                                  .withTopic(outTopic)
                                  .withUtf8Key(id)
                                  .withUtf8Value(line)
                                  .build());
                          // Calls through the gateway get the same line as their reply.
                          Reply.to(context, TEXT, line);
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

  /** The arguments of {@link #main}: the port, then {@code --tls=DIR} and {@code --http2}. */
  static List<String> arguments(int port, Path tls, boolean http2) {
    List<String> args = new ArrayList<>();
    args.add(Integer.toString(port));
    if (tls != null) {
      args.add("--tls=" + tls);
    }
    if (http2) {
      args.add("--http2");
    }
    return args;
  }

  /**
   * Arguments: PORT [--tls=DIR] [--http2]. With a directory of {@link BenchCertificates}, serves
   * https and requires a client certificate signed by their CA. With {@code --http2}, speaks HTTP/2
   * too: h2 by ALPN over TLS, h2c with prior knowledge over cleartext. Prints a ready line and
   * serves until the process is stopped.
   */
  public static void main(String[] args) throws Exception {
    Map<String, HttpHandler> byTopic = new ConcurrentHashMap<>();
    HttpString header = new HttpString(OUT_TOPIC_HEADER);
    int port = Integer.parseInt(args[0]);
    String tls = null;
    boolean http2 = false;
    for (String arg : List.of(args).subList(1, args.length)) {
      if (arg.startsWith("--tls=")) {
        tls = arg.substring("--tls=".length());
      } else if (arg.equals("--http2")) {
        http2 = true;
      } else {
        throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    Undertow.Builder builder = Undertow.builder();
    if (tls != null) {
      builder
          .addHttpsListener(port, "127.0.0.1", BenchCertificates.in(Path.of(tls)).serverContext())
          .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.REQUIRED);
    } else {
      builder.addHttpListener(port, "127.0.0.1");
    }
    builder.setServerOption(UndertowOptions.ENABLE_HTTP2, http2);
    Undertow server =
        builder
            .setHandler(
                exchange -> {
                  String topic = exchange.getRequestHeaders().getFirst(header);
                  if (topic == null) {
                    exchange.setStatusCode(400);
                    exchange.getResponseSender().send("no " + OUT_TOPIC_HEADER + " header");
                    return;
                  }
                  byTopic
                      .computeIfAbsent(
                          topic,
                          t -> FunctionServer.httpHandler(functions(t).requestReplyHandler()))
                      .handleRequest(exchange);
                })
            .build();
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    System.out.println(
        "bench functions ready on port "
            + args[0]
            + (tls != null ? " (https)" : "")
            + (http2 ? " (HTTP/2)" : ""));
    Thread.currentThread().join();
  }
}
