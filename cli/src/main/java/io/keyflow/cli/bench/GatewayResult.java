package io.keyflow.cli.bench;

/**
 * Calls through the HTTP gateway to {@code bench/counter}, each waiting for its reply.
 *
 * @param replies the reply egress: exactly-once (read_committed, visible on checkpoints) or
 *     at-least-once
 * @param calls calls measured (after a warm-up)
 * @param concurrency calls in flight at once (closed loop)
 * @param callsPerSecond calls answered per second
 * @param p50Millis median time from sending a call to receiving its reply
 * @param p99Millis 99th percentile of the same
 * @param correct whether every call got 200 with the reply to its own message
 */
public record GatewayResult(
    String replies,
    long calls,
    int concurrency,
    double callsPerSecond,
    double p50Millis,
    double p99Millis,
    boolean correct,
    String problem) {}
