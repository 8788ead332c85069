package io.keyflow.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

/**
 * A histogram of the most recent values recorded by one thread: a ring of the last {@code capacity}
 * values, from which reporters compute quantiles when they read it.
 *
 * <p><b>Why not Flink's DescriptiveStatisticsHistogram.</b> That one takes a lock and boxes each
 * value into a double on every update. Keyflow records its histograms on the task thread only
 * (every call's latency and batch size), so a single writer can store a plain {@code long} and
 * publish the count with an ordered write: no lock, no allocation, a few nanoseconds. The cost
 * moves to the reader, which copies and sorts the ring when a reporter asks (once per scrape or
 * REST poll). A reader racing the writer may see a value of the next round in place of one of this
 * round; for a window of thousands of values that does not move a quantile noticeably.
 *
 * <p>{@link #update} must be called from one thread at a time; any thread may read.
 */
public final class RecentValuesHistogram implements Histogram {
  /** The window of StateFun's and Flink's defaults is larger; 1024 calls settle p99 well enough. */
  public static final int DEFAULT_CAPACITY = 1024;

  private static final VarHandle COUNT;

  static {
    try {
      COUNT =
          MethodHandles.lookup().findVarHandle(RecentValuesHistogram.class, "count", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long[] ring;
  private final int mask;

  @SuppressWarnings("unused") // written and read through COUNT
  private long count;

  public RecentValuesHistogram() {
    this(DEFAULT_CAPACITY);
  }

  /**
   * @param capacity how many recent values the statistics cover; a power of two
   */
  public RecentValuesHistogram(int capacity) {
    if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two, not " + capacity);
    }
    this.ring = new long[capacity];
    this.mask = capacity - 1;
  }

  @Override
  public void update(long value) {
    long n = (long) COUNT.getOpaque(this);
    ring[(int) (n & mask)] = value;
    COUNT.setRelease(this, n + 1);
  }

  /** Values recorded since creation (not only those in the window). */
  @Override
  public long getCount() {
    return (long) COUNT.getAcquire(this);
  }

  @Override
  public HistogramStatistics getStatistics() {
    long n = getCount();
    int size = (int) Math.min(n, ring.length);
    long[] values = Arrays.copyOf(ring, size);
    Arrays.sort(values);
    return new SortedValuesStatistics(values);
  }
}
