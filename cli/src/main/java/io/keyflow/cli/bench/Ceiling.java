package io.keyflow.cli.bench;

import io.keyflow.module.HttpEndpoint;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.FromFunction.InvocationResponse;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.ToFunction.InvocationBatchRequest;
import io.keyflow.protocol.reqreply.ToFunction.PersistedValue;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.remote.RemoteFunctionClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.statefun.sdk.java.TypeName;

/**
 * The ceiling: the function server driven directly by Keyflow's HTTP client, with the batch shape
 * and concurrency the job had, and nothing else (no Flink, no Kafka). The driver plays the job's
 * part in the protocol: it ships each id's counter value with the request and keeps the value the
 * function returns, one request per id at a time; on {@code forward} it sends the forwarded
 * messages on to the counter.
 */
final class Ceiling {
  private static final String COUNT = "count";
  private static final TypedValue ARGUMENT =
      TypedValue.newBuilder()
          .setTypename("bench.types/raw")
          .setHasValue(true)
          .setValue(com.google.protobuf.ByteString.copyFromUtf8("x"))
          .build();

  /** One id's share of the records and where it stands. */
  private static final class Id {
    final String id;
    long remaining;
    TypedValue count;

    Id(String id, long remaining) {
      this.id = id;
      this.remaining = remaining;
    }
  }

  /** A completed request, handed to the driving thread. */
  private record Done(Id id, boolean forwardStage, FromFunction response, Throwable error) {}

  private final URI base;
  private final boolean forward;
  private final int batch;
  private final int concurrency;
  private final RemoteFunctionClient client;
  private final LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
  private long requests;
  private long invocations;

  /**
   * @param base the function server's base URL; functions are at {@code base + name}
   * @param batch messages per request
   * @param concurrency requests outstanding at once
   */
  Ceiling(URI base, boolean forward, int batch, int concurrency, HttpEndpoint endpoint) {
    this.base = base;
    this.forward = forward;
    this.batch = Math.max(1, batch);
    this.concurrency = Math.max(1, concurrency);
    this.client = new RemoteFunctionClient(endpoint);
  }

  CeilingResult run(long records, int keys, long functionsPid, Duration timeout) throws Exception {
    try {
      return drive(records, keys, functionsPid, timeout);
    } finally {
      client.close();
    }
  }

  private CeilingResult drive(long records, int keys, long functionsPid, Duration timeout)
      throws Exception {
    ArrayDeque<Id> ready = new ArrayDeque<>(keys);
    for (int k = 0; k < keys; k++) {
      long share = records / keys + (k < records % keys ? 1 : 0);
      if (share > 0) {
        ready.add(new Id("k" + k, share));
      }
    }
    long self = ProcessHandle.current().pid();
    long clientCpu = ProcessCpu.micros(self);
    long functionsCpu = ProcessCpu.micros(functionsPid);
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long counted = 0;
    int outstanding = 0;
    while (counted < records) {
      while (outstanding < concurrency && !ready.isEmpty()) {
        Id next = ready.poll();
        List<Invocation> messages = new ArrayList<>();
        long take = Math.min(batch, next.remaining);
        for (long i = 0; i < take; i++) {
          messages.add(Invocation.newBuilder().setArgument(ARGUMENT).build());
        }
        next.remaining -= take;
        send(next, forward, messages);
        outstanding++;
      }
      Done d = done.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (d == null) {
        throw new IllegalStateException(
            "the ceiling run counted " + counted + " of " + records + " records within " + timeout);
      }
      if (d.error() != null) {
        throw new IllegalStateException("a direct call to the function server failed", d.error());
      }
      InvocationResponse result = answered(d);
      if (d.forwardStage()) {
        List<Invocation> forwarded = new ArrayList<>(result.getOutgoingMessagesCount());
        Address caller = address(BenchFunctions.FORWARD, d.id().id);
        for (FromFunction.Invocation message : result.getOutgoingMessagesList()) {
          forwarded.add(
              Invocation.newBuilder().setCaller(caller).setArgument(message.getArgument()).build());
        }
        send(d.id(), false, forwarded);
        continue;
      }
      outstanding--;
      counted += result.getOutgoingEgressesCount();
      for (FromFunction.PersistedValueMutation mutation : result.getStateMutationsList()) {
        if (mutation.getStateName().equals(COUNT)) {
          d.id().count = mutation.getStateValue();
        }
      }
      if (d.id().remaining > 0) {
        ready.add(d.id());
      }
    }
    long ended = System.nanoTime();
    double seconds = (ended - started) / 1e9;
    return new CeilingResult(
        batch,
        concurrency,
        records / seconds,
        (ProcessCpu.micros(self) - clientCpu) / (double) records,
        (ProcessCpu.micros(functionsPid) - functionsCpu) / (double) records,
        invocations / (double) requests);
  }

  private InvocationResponse answered(Done d) {
    if (d.response().hasIncompleteInvocationContext()) {
      throw new IllegalStateException(
          "the function server asked for values the driver does not send: "
              + d.response().getIncompleteInvocationContext());
    }
    return d.response().getInvocationResult();
  }

  private void send(Id id, boolean forwardStage, List<Invocation> messages) {
    TypeName function = forwardStage ? BenchFunctions.FORWARD : BenchFunctions.COUNTER;
    InvocationBatchRequest.Builder request =
        InvocationBatchRequest.newBuilder()
            .setTarget(address(function, id.id))
            .addAllInvocations(messages);
    if (!forwardStage) {
      PersistedValue.Builder value = PersistedValue.newBuilder().setStateName(COUNT);
      if (id.count != null) {
        value.setStateValue(id.count);
      }
      request.addState(value);
    }
    requests++;
    invocations += messages.size();
    URI url = base.resolve(function.name());
    client
        .invoke(url, ToFunction.newBuilder().setInvocation(request).build())
        .whenComplete((response, error) -> done.add(new Done(id, forwardStage, response, error)));
  }

  private static Address address(TypeName function, String id) {
    return Address.newBuilder()
        .setNamespace(function.namespace())
        .setType(function.name())
        .setId(id)
        .build();
  }
}
