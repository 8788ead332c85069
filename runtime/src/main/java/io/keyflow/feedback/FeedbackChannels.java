package io.keyflow.feedback;

import java.io.File;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM-wide registry of feedback channels. A head and a tail with the same job, subtask index
 * and attempt number run in the same TaskManager (they share a co-location group), so both find the
 * same channel here.
 */
final class FeedbackChannels {
  private static final Map<ChannelKey, FeedbackChannel> CHANNELS = new ConcurrentHashMap<>();

  private FeedbackChannels() {}

  static FeedbackChannel get(ChannelKey key, long memoryBudget, File spillDirectory) {
    return CHANNELS.computeIfAbsent(
        key,
        k ->
            new FeedbackChannel(
                memoryBudget,
                spillDirectory,
                "keyflow-feedback-" + k.subtask() + "-" + k.attempt()));
  }

  /** Called by the head when it closes; the tail of the same attempt is going away too. */
  static void remove(ChannelKey key) {
    FeedbackChannel channel = CHANNELS.remove(key);
    if (channel != null) {
      channel.close();
    }
  }
}
