package io.keyflow.cli.bench;

/**
 * Calls through the HTTP gateway to {@code bench/counter}, each waiting for its reply.
 *
 * @param replies the reply egress: exactly-once (read_committed, visible on checkpoints) or
 *     at-least-once
 * @param arrivals {@code closed} (each caller sends its next call when the last one is answered) or
 *     {@code open} (calls due at a fixed rate, whatever the replies do)
 * @param calls calls measured (after a warm-up)
 * @param concurrency closed: the callers; open: the most calls that waited for a reply at once
 * @param targetCallsPerSecond open: the rate calls were due at; closed: 0
 * @param callsPerSecond calls answered correctly per second
 * @param p50Millis median time from a call (open: from the time it was due) to its reply
 * @param p99Millis 99th percentile of the same
 * @param p999Millis 99.9th percentile of the same
 * @param maxMillis the slowest
 * @param errors calls without a correct reply (another status, a wrong reply, a timeout)
 * @param correct whether every call got 200 with the reply to its own message
 * @param problem the first error, or null
 * @param checkpoints where the checkpoints' time went during the measured calls, or null when not
 *     asked for
 */
public record GatewayResult(
    String replies,
    String arrivals,
    long calls,
    int concurrency,
    double targetCallsPerSecond,
    double callsPerSecond,
    double p50Millis,
    double p99Millis,
    double p999Millis,
    double maxMillis,
    long errors,
    boolean correct,
    String problem,
    CheckpointBreakdown checkpoints) {}
