package io.keyflow.io.kafka;

import java.io.Serializable;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/** Where a Kafka ingress starts reading when the job starts without state for it. */
public sealed interface StartupPosition extends Serializable {

  /**
   * The consumer group's committed offsets; partitions without one start at {@code reset}. The
   * default, with {@code earliest} as the fallback, so a new group misses nothing.
   */
  record GroupOffsets(boolean resetToEarliest) implements StartupPosition {}

  record Earliest() implements StartupPosition {}

  record Latest() implements StartupPosition {}

  /** Offsets per partition; partitions not listed start at the reset position. */
  record SpecificOffsets(Map<String, Long> offsets, boolean resetToEarliest)
      implements StartupPosition {}

  /** The first record at or after a point in time (milliseconds since the epoch). */
  record Date(long epochMillis) implements StartupPosition {}

  /** The Flink offsets initializer for this position. */
  default OffsetsInitializer initializer() {
    if (this instanceof GroupOffsets g) {
      return OffsetsInitializer.committedOffsets(reset(g.resetToEarliest()));
    }
    if (this instanceof Earliest) {
      return OffsetsInitializer.earliest();
    }
    if (this instanceof Latest) {
      return OffsetsInitializer.latest();
    }
    if (this instanceof SpecificOffsets s) {
      return OffsetsInitializer.offsets(partitions(s.offsets()), reset(s.resetToEarliest()));
    }
    return OffsetsInitializer.timestamp(((Date) this).epochMillis());
  }

  private static OffsetResetStrategy reset(boolean earliest) {
    return earliest ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST;
  }

  /** Keys are {@code topic/partition}; the partition follows the last slash. */
  private static Map<TopicPartition, Long> partitions(Map<String, Long> offsets) {
    Map<TopicPartition, Long> out = new java.util.HashMap<>();
    offsets.forEach(
        (key, offset) -> {
          int slash = key.lastIndexOf('/');
          out.put(
              new TopicPartition(
                  key.substring(0, slash), Integer.parseInt(key.substring(slash + 1))),
              offset);
        });
    return out;
  }
}
