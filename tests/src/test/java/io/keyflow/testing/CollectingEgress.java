package io.keyflow.testing;

import io.keyflow.io.Egress;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * An egress for tests that collects every record in this JVM's memory, by egress id. It is
 * at-least-once: records emitted before a failure and replayed after it appear twice.
 */
public record CollectingEgress(TypeName id) implements Egress {
  private static final Map<String, ConcurrentLinkedQueue<TypedValue>> RECORDS =
      new ConcurrentHashMap<>();
  private static final Map<String, Map<String, Long>> MAX_REPORTED = new ConcurrentHashMap<>();

  private static final Map<String, Boolean> KEEP = new ConcurrentHashMap<>();

  public static CollectingEgress named(String id) {
    return named(id, true);
  }

  /**
   * @param keepRecords false to keep only {@link #maxReported()}, for tests that send millions of
   *     records through a small heap
   */
  public static CollectingEgress named(String id, boolean keepRecords) {
    CollectingEgress egress = new CollectingEgress(TypeName.parse(id));
    RECORDS.put(id, new ConcurrentLinkedQueue<>());
    MAX_REPORTED.put(id, new ConcurrentHashMap<>());
    KEEP.put(id, keepRecords);
    return egress;
  }

  /**
   * The highest number reported per id so far, for records that are reports {@code id=number} (see
   * {@link TestFunctions}); kept up to date as records arrive.
   */
  public Map<String, Long> maxReported() {
    return Map.copyOf(MAX_REPORTED.get(id.toString()));
  }

  /** Number of records collected so far. */
  public int size() {
    return RECORDS.get(id.toString()).size();
  }

  private static void collect(String id, TypedValue record) {
    if (KEEP.get(id)) {
      RECORDS.get(id).add(record);
    }
    String[] report = TestFunctions.reportOrNull(record);
    if (report != null) {
      try {
        MAX_REPORTED.get(id).merge(report[0], Long.parseLong(report[1]), Math::max);
      } catch (NumberFormatException notACount) {
        // Reports of other values (true/false) are only kept as records.
      }
    }
  }

  /** Everything collected so far. */
  public List<TypedValue> records() {
    return List.copyOf(RECORDS.get(id.toString()));
  }

  @Override
  public void attach(DataStream<TypedValue> records, String uidPrefix) {
    records
        .sinkTo(new CollectingSink(id.toString()))
        .uid(uidPrefix + "-sink")
        .name("collect " + id);
  }

  private record CollectingSink(String id) implements Sink<TypedValue> {
    @Override
    public SinkWriter<TypedValue> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(TypedValue element, Context context) {
          collect(id, element);
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
