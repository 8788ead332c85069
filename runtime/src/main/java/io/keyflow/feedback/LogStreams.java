package io.keyflow.feedback;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.runtime.state.KeyedStateCheckpointOutputStream;
import org.apache.flink.util.ResourceGuard;

/**
 * What the head of a subtask and the keyed operator chained after it ({@link FeedbackLogHost}) hand
 * each other about the loop's log: the raw keyed state stream the host lends for each checkpoint,
 * and the logged messages of the restored checkpoint. Both run on the same task thread; they find
 * each other by job, subtask index and attempt number, like the channel.
 */
final class LogStreams {
  private static final Map<ChannelKey, LogStreams> ALL = new ConcurrentHashMap<>();

  /** A host's raw keyed state stream for one checkpoint, held open by a lease. */
  record Lent(KeyedStateCheckpointOutputStream stream, ResourceGuard.Lease lease) {}

  private final TreeMap<Long, Lent> lent = new TreeMap<>();
  private SpillingQueue<FeedbackRecord> restored;
  private boolean headAttached;

  private LogStreams() {}

  static LogStreams of(ChannelKey key) {
    return ALL.computeIfAbsent(key, k -> new LogStreams());
  }

  /** The subtask's entry if its head or host made one, else null. */
  static LogStreams find(ChannelKey key) {
    return ALL.get(key);
  }

  /** Called by the head when it closes: the host of the same attempt is closing too. */
  static void remove(ChannelKey key) {
    LogStreams streams = ALL.remove(key);
    if (streams != null) {
      streams.releaseAll();
    }
  }

  /** The head is there and writes a log at each checkpoint; until then the host lends nothing. */
  synchronized void attachHead() {
    headAttached = true;
  }

  synchronized boolean headAttached() {
    return headAttached;
  }

  synchronized void lend(long checkpointId, Lent stream) {
    Lent previous = lent.put(checkpointId, stream);
    if (previous != null) {
      previous.lease().close();
    }
  }

  /** The stream lent for {@code checkpointId}, now the caller's to write and release; or null. */
  synchronized Lent take(long checkpointId) {
    return lent.remove(checkpointId);
  }

  /** Records the host read from its restored raw keyed state, queued on disk for the head. */
  synchronized SpillingQueue<FeedbackRecord> restoredQueue(File spillDirectory) {
    if (restored == null) {
      // The host does not know the head's memory budget: keep the restored log on disk.
      restored = new SpillingQueue<>(FeedbackRecord.CODEC, 0, spillDirectory, "keyflow-restored");
    }
    return restored;
  }

  /** The restored records, handed over once; null if the host restored none. */
  synchronized SpillingQueue<FeedbackRecord> takeRestored() {
    SpillingQueue<FeedbackRecord> queue = restored;
    restored = null;
    return queue;
  }

  private synchronized void releaseAll() {
    for (Lent stream : lent.values()) {
      stream.lease().close();
    }
    lent.clear();
    if (restored != null) {
      restored.close();
      restored = null;
    }
  }
}
