package io.keyflow.cli.bench;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Calls that arrive on a {@link ArrivalSchedule} whatever the replies do (an open loop), the way
 * independent users arrive: a slow reply does not delay the next call, so the latencies show what a
 * user meets at that load. Each call's latency runs from the time it was due to its reply.
 */
final class OpenLoop {
  private final HttpClient http;
  private final String baseUrl;
  private final int keys;
  private final Duration timeout;

  OpenLoop(HttpClient http, String baseUrl, int keys, Duration timeout) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.keys = keys;
    this.timeout = timeout;
  }

  /**
   * What an open loop measured.
   *
   * @param latencies of the calls with a correct reply
   * @param errors calls without one: another status, a wrong reply, no reply within the timeout
   * @param problem the first error, or null
   * @param answeredPerSecond correct replies a second, from the first call's due time to the last
   *     reply
   * @param maxInFlight the most calls that were waiting for their reply at once
   * @param answeredAtMillis when each call with a correct reply got it (epoch milliseconds), in no
   *     particular order
   */
  record Outcome(
      LatencyReport latencies,
      long errors,
      String problem,
      double answeredPerSecond,
      int maxInFlight,
      long[] answeredAtMillis) {}

  /** Sends the schedule's calls, message {@code tag-i} to id {@code k-(i mod keys)}. */
  Outcome run(ArrivalSchedule schedule, String tag) throws Exception {
    int n = Math.toIntExact(schedule.calls());
    long[] latencies = new long[n];
    long[] answeredAt = new long[n];
    AtomicInteger answered = new AtomicInteger();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> problem = new AtomicReference<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicLong lastReply = new AtomicLong();
    CompletableFuture<?>[] calls = new CompletableFuture<?>[n];
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
    for (int i = 0; i < n; i++) {
      long due = start + schedule.dueNanos(i);
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      String id = "k-" + (i % keys);
      String body = tag + "-" + i;
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      calls[i] =
          http.sendAsync(
                  GatewayCall.request(baseUrl, id, body, timeout),
                  HttpResponse.BodyHandlers.ofString())
              .handle(
                  (response, failure) -> {
                    long now = System.nanoTime();
                    inFlight.decrementAndGet();
                    String wrong =
                        failure != null
                            ? "call " + body + " to " + id + " failed: " + failure
                            : GatewayCall.problem(response, id, body);
                    if (wrong != null) {
                      errors.incrementAndGet();
                      problem.compareAndSet(null, wrong);
                      return null;
                    }
                    int slot = answered.getAndIncrement();
                    latencies[slot] = now - due;
                    answeredAt[slot] = System.currentTimeMillis();
                    lastReply.accumulateAndGet(now, Math::max);
                    return null;
                  });
    }
    CompletableFuture.allOf(calls)
        .get(timeout.toMillis() + TimeUnit.SECONDS.toMillis(10), TimeUnit.MILLISECONDS);
    int count = answered.get();
    double seconds = Math.max(1e-9, (lastReply.get() - start) / 1e9);
    return new Outcome(
        LatencyReport.of(latencies, count),
        errors.get(),
        problem.get(),
        count == 0 ? 0 : count / seconds,
        maxInFlight.get(),
        java.util.Arrays.copyOf(answeredAt, count));
  }
}
