package io.keyflow.testing;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.statefun.sdk.java.handler.RequestReplyHandler;
import org.apache.flink.statefun.sdk.java.slice.Slice;
import org.apache.flink.statefun.sdk.reqreply.generated.FromFunction;
import org.apache.flink.statefun.sdk.reqreply.generated.ToFunction;
import org.apache.flink.statefun.sdk.reqreply.generated.TypedValue;
import org.apache.flink.statefun.sdk.types.generated.StringWrapper;

/**
 * Wraps the SDK's handler to see what reaches functions, decoding requests with the SDK's own
 * protocol classes, and to misbehave on purpose per function type: answer slowly, fail the first
 * requests with HTTP 500, or hold a request until a condition holds.
 */
public final class ObservedHandler implements RequestReplyHandler {

  /** How a function type misbehaves. */
  public static final class Behaviour {
    volatile long delayMillis;
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile HoldCondition hold;
  }

  /** Holds requests to a function type while {@link #holding} says so. */
  public interface HoldCondition {
    boolean holding(ToFunction.InvocationBatchRequest request);
  }

  /** What one function type has been sent. */
  public static final class Observed {
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicInteger failedOnPurpose = new AtomicInteger();
    public final AtomicInteger maxBatch = new AtomicInteger();
    public final AtomicInteger requestsWithState = new AtomicInteger();

    /** The most requests one address had outstanding at once. */
    public final AtomicInteger maxConcurrentPerAddress = new AtomicInteger();

    final Map<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();

    /** Times each string payload was delivered. */
    public final Map<String, Integer> deliveries = new ConcurrentHashMap<>();
  }

  private final RequestReplyHandler delegate;
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final Map<String, Observed> observed = new ConcurrentHashMap<>();

  public ObservedHandler(RequestReplyHandler delegate) {
    this.delegate = delegate;
  }

  /** Behaviour of function type {@code namespace/name}. */
  public Behaviour behaviour(String functionType) {
    return behaviours.computeIfAbsent(functionType, t -> new Behaviour());
  }

  public ObservedHandler delay(String functionType, long millis) {
    behaviour(functionType).delayMillis = millis;
    return this;
  }

  public ObservedHandler failFirst(String functionType, int requests) {
    behaviour(functionType).failuresLeft.set(requests);
    return this;
  }

  public ObservedHandler hold(String functionType, HoldCondition condition) {
    behaviour(functionType).hold = condition;
    return this;
  }

  public Observed observed(String functionType) {
    return observed.computeIfAbsent(functionType, t -> new Observed());
  }

  @Override
  public CompletableFuture<Slice> handle(Slice request) {
    ToFunction.InvocationBatchRequest batch;
    try {
      batch = ToFunction.parseFrom(request.toByteArray()).getInvocation();
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    String type = batch.getTarget().getNamespace() + "/" + batch.getTarget().getType();
    Observed seen = observed(type);
    seen.requests.incrementAndGet();
    seen.maxBatch.accumulateAndGet(batch.getInvocationsCount(), Math::max);
    if (batch.getStateList().stream().anyMatch(v -> v.hasStateValue())) {
      seen.requestsWithState.incrementAndGet();
    }
    AtomicInteger outstanding =
        seen.outstanding.computeIfAbsent(batch.getTarget().getId(), id -> new AtomicInteger());
    seen.maxConcurrentPerAddress.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
    CompletableFuture<Slice> answer = respond(request, batch, type, seen);
    return answer.whenComplete((r, e) -> outstanding.decrementAndGet());
  }

  private CompletableFuture<Slice> respond(
      Slice request, ToFunction.InvocationBatchRequest batch, String type, Observed seen) {
    Behaviour behaviour = behaviours.get(type);
    if (behaviour != null && behaviour.failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      seen.failedOnPurpose.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("failing on purpose"));
    }
    CompletableFuture<Slice> response =
        delegate.handle(request).thenApply(reply -> countDeliveries(seen, batch, reply));
    if (behaviour == null) {
      return response;
    }
    if (behaviour.hold != null && behaviour.hold.holding(batch)) {
      CompletableFuture<Slice> held = new CompletableFuture<>();
      waitThenComplete(behaviour.hold, batch, response, held);
      return held;
    }
    if (behaviour.delayMillis > 0) {
      return response.thenApplyAsync(
          r -> r, CompletableFuture.delayedExecutor(behaviour.delayMillis, TimeUnit.MILLISECONDS));
    }
    return response;
  }

  private static void waitThenComplete(
      HoldCondition hold,
      ToFunction.InvocationBatchRequest batch,
      CompletableFuture<Slice> response,
      CompletableFuture<Slice> held) {
    if (!hold.holding(batch)) {
      response.whenComplete(
          (r, e) -> {
            if (e != null) {
              held.completeExceptionally(e);
            } else {
              held.complete(r);
            }
          });
      return;
    }
    CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)
        .execute(() -> waitThenComplete(hold, batch, response, held));
  }

  /** Counts the invocations the function really ran: not those of a missing-values answer. */
  private static Slice countDeliveries(
      Observed seen, ToFunction.InvocationBatchRequest batch, Slice reply) {
    try {
      if (!FromFunction.parseFrom(reply.toByteArray()).hasInvocationResult()) {
        return reply;
      }
    } catch (Exception e) {
      return reply;
    }
    for (ToFunction.Invocation invocation : batch.getInvocationsList()) {
      String payload = text(invocation.getArgument());
      if (payload != null) {
        seen.deliveries.merge(payload, 1, Integer::sum);
      }
    }
    return reply;
  }

  private static String text(TypedValue value) {
    if (!value.getTypename().equals("io.statefun.types/string")) {
      return null;
    }
    try {
      return StringWrapper.parseFrom(value.getValue()).getValue();
    } catch (Exception e) {
      return null;
    }
  }
}
