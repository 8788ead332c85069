package io.keyflow.remote.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Connections opened to one route in this JVM, and the most open (or opening) at once. */
public final class ConnectionStats {
  private final AtomicLong opened = new AtomicLong();
  private final AtomicInteger mostOpen = new AtomicInteger();

  void countOpened() {
    opened.incrementAndGet();
  }

  void noteOpen(int now) {
    mostOpen.accumulateAndGet(now, Math::max);
  }

  /** Connections opened so far (attempts included). */
  public long opened() {
    return opened.get();
  }

  /** The most connections open or being opened at once. */
  public int mostOpen() {
    return mostOpen.get();
  }
}
