package io.keyflow.dispatch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.FromFunction.EgressMessage;
import io.keyflow.protocol.reqreply.FromFunction.InvocationResponse;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A function endpoint on a real HTTP server whose behaviour a test scripts per address: every
 * message becomes an egress record {@code t/out} carrying the message's value; a batch holding the
 * value {@code hang} is never answered; an address whose gate is closed is answered only once the
 * gate opens; while {@link #unavailable} is set every call gets 503. Function type {@code t/keeper}
 * also declares a value {@code last} (typename {@code t/text}, expiring an hour after it is
 * written) and keeps the last message's value in it, asking for the value first as StateFun SDKs
 * do. It records every batch it receives and the most calls it had open at once.
 */
final class ScriptedFunctions implements AutoCloseable {
  static final String HANG = "hang";

  /** The function type (name, in namespace {@code t}) that keeps a value. */
  static final String KEEPER = "keeper";

  static final String LAST = "last";

  private static final FromFunction.PersistedValueSpec LAST_SPEC =
      FromFunction.PersistedValueSpec.newBuilder()
          .setStateName(LAST)
          .setTypeTypename("t/text")
          .setExpirationSpec(
              FromFunction.ExpirationSpec.newBuilder()
                  .setMode(FromFunction.ExpirationSpec.ExpireMode.AFTER_WRITE)
                  .setExpireAfterMillis(3_600_000))
          .build();

  /** One batch as the function received it. */
  record Batch(String id, List<String> values) {}

  final ConcurrentLinkedQueue<Batch> batches = new ConcurrentLinkedQueue<>();
  final AtomicBoolean unavailable = new AtomicBoolean();
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger mostOpen = new AtomicInteger();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final HttpServer server;

  ScriptedFunctions() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  String urlTemplate() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/{function.name}";
  }

  /** Holds calls for {@code id} until {@link #open}. */
  void close(String id) {
    gates.put(id, new CountDownLatch(1));
  }

  void open(String id) {
    CountDownLatch gate = gates.remove(id);
    if (gate != null) {
      gate.countDown();
    }
  }

  /** Opens every gate, now and for calls to come. */
  void openAll() {
    gates.keySet().forEach(this::open);
  }

  int mostOpenAtOnce() {
    return mostOpen.get();
  }

  List<List<String>> batchesOf(String id) {
    return batches.stream().filter(b -> b.id().equals(id)).map(Batch::values).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = open.incrementAndGet();
    mostOpen.accumulateAndGet(now, Math::max);
    try {
      ToFunction request;
      try (InputStream body = exchange.getRequestBody()) {
        request = ToFunction.parseFrom(body.readAllBytes());
      }
      String id = request.getInvocation().getTarget().getId();
      List<String> values =
          request.getInvocation().getInvocationsList().stream()
              .map(i -> i.getArgument().getValue().toStringUtf8())
              .toList();
      batches.add(new Batch(id, values));
      if (values.contains(HANG)) {
        // Never answered: the caller's timeout ends the exchange.
        return;
      }
      CountDownLatch gate = gates.get(id);
      if (gate != null && !gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate of " + id + " stayed closed");
      }
      if (unavailable.get()) {
        exchange.sendResponseHeaders(503, -1);
        exchange.close();
        return;
      }
      InvocationResponse.Builder result = InvocationResponse.newBuilder();
      if (request.getInvocation().getTarget().getType().equals(KEEPER)) {
        boolean declared =
            request.getInvocation().getStateList().stream()
                .anyMatch(v -> v.getStateName().equals(LAST));
        if (!declared) {
          respond(
              exchange,
              FromFunction.newBuilder()
                  .setIncompleteInvocationContext(
                      FromFunction.IncompleteInvocationContext.newBuilder()
                          .addMissingValues(LAST_SPEC))
                  .build());
          return;
        }
        result.addStateMutations(
            FromFunction.PersistedValueMutation.newBuilder()
                .setMutationType(FromFunction.PersistedValueMutation.MutationType.MODIFY)
                .setStateName(LAST)
                .setStateValue(
                    io.keyflow.protocol.reqreply.TypedValue.newBuilder()
                        .setTypename("t/text")
                        .setHasValue(true)
                        .setValue(
                            request
                                .getInvocation()
                                .getInvocations(request.getInvocation().getInvocationsCount() - 1)
                                .getArgument()
                                .getValue())));
      }
      for (Invocation invocation : request.getInvocation().getInvocationsList()) {
        result.addOutgoingEgresses(
            EgressMessage.newBuilder()
                .setEgressNamespace("t")
                .setEgressType("out")
                .setArgument(invocation.getArgument()));
      }
      respond(exchange, FromFunction.newBuilder().setInvocationResult(result).build());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.decrementAndGet();
    }
  }

  private static void respond(HttpExchange exchange, FromFunction answer) throws IOException {
    byte[] response = answer.toByteArray();
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    exchange.sendResponseHeaders(200, response.length);
    exchange.getResponseBody().write(response);
    exchange.close();
  }

  @Override
  public void close() {
    gates.values().forEach(CountDownLatch::countDown);
    server.stop(0);
    threads.shutdownNow();
  }
}
