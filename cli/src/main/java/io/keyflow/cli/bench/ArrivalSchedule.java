package io.keyflow.cli.bench;

/**
 * When the calls of an open loop are due: call {@code i} at {@code i / ratePerSecond} seconds after
 * the start, at a fixed rate rather than Poisson arrivals, so that two runs send the same load and
 * a figure's spread comes from the system, not from the schedule.
 *
 * <p>A call's latency is taken from the time it was due, not from the time it was sent: a sender
 * that falls behind (a stalled client, a full connection pool) then shows as latency instead of
 * hiding it by sending later (coordinated omission).
 *
 * @param ratePerSecond calls a second, more than 0
 * @param calls calls in the schedule, at least 1
 */
record ArrivalSchedule(double ratePerSecond, long calls) {

  ArrivalSchedule {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "--gateway-rate: " + ratePerSecond + " calls/s; expected a rate above 0");
    }
    if (calls < 1) {
      throw new IllegalArgumentException("--gateway-calls: " + calls + "; expected at least 1");
    }
  }

  /** Nanoseconds from the start until call {@code i} (0-based) is due. */
  long dueNanos(long i) {
    if (i < 0 || i >= calls) {
      throw new IndexOutOfBoundsException("call " + i + " of " + calls);
    }
    return Math.round(i * 1e9 / ratePerSecond);
  }

  /** Nanoseconds from the start until the last call is due. */
  long spanNanos() {
    return dueNanos(calls - 1);
  }
}
