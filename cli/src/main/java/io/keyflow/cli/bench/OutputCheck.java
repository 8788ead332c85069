package io.keyflow.cli.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the output ({@code id=count|payload} records) as it appears and checks it: every key's
 * counts must be exactly 1..c, each once. Live records carry {@code t<send nanoTime>} as payload,
 * which gives their latency.
 */
final class OutputCheck implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final boolean committed;
  private final Map<String, BitSet> seen = new HashMap<>();
  private long records;
  private long duplicates;
  private long firstRecordNanos;
  private long lastRecordNanos;
  private final long[] markNanos = new long[2];
  private long[] marks = new long[0];
  private long[] cpuPids = new long[0];
  private final long[][] cpuAtMark = new long[2][];
  private final long[][] compilerAtMark = new long[2][];

  /** A measured live record: when it was sent, after the measured time began, and its latency. */
  private record Latency(long sentAfterStartNanos, long nanos) {}

  private final List<Latency> latencies = new ArrayList<>();
  private Duration pollTimeout = Duration.ofMillis(20);
  private boolean measuring;
  private long measuredFromNanos;

  /**
   * @param committed true to read with read_committed (what consumers see), false to read what the
   *     egress has written so far, committed or not (when records are emitted)
   */
  OutputCheck(String bootstrapServers, String topic, boolean committed) {
    this.committed = committed;
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrapServers);
    props.put("isolation.level", committed ? "read_committed" : "read_uncommitted");
    props.put("enable.auto.commit", "false");
    props.put("max.poll.records", "5000");
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /**
   * Polls with a shorter timeout from now on, so that latencies are measured to a few milliseconds,
   * and keeps the latencies of the live records sent at or after {@code sentFromNanos}.
   */
  void measureLatencyOfRecordsSentFrom(long sentFromNanos) {
    pollTimeout = Duration.ofMillis(2);
    measuring = true;
    measuredFromNanos = sentFromNanos;
  }

  /** Skips what is in the topic now: only later records are read. */
  void skipToEnd() {
    consumer.seekToEnd(consumer.assignment());
    consumer.assignment().forEach(p -> consumer.position(p));
  }

  /** Reads what is there now; returns the number of records read so far. */
  long poll() {
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(pollTimeout)) {
      long now = System.nanoTime();
      if (records == 0) {
        firstRecordNanos = now;
      }
      records++;
      lastRecordNanos = now;
      for (int i = 0; i < marks.length; i++) {
        if (records == marks[i]) {
          markNanos[i] = now;
          cpuAtMark[i] = new long[cpuPids.length];
          for (int p = 0; p < cpuPids.length; p++) {
            cpuAtMark[i][p] = ProcessCpu.micros(cpuPids[p]);
          }
          compilerAtMark[i] = new long[cpuPids.length];
          for (int p = 0; p < cpuPids.length; p++) {
            compilerAtMark[i][p] = ProcessCpu.compilerMicros(cpuPids[p]);
          }
        }
      }
      if (!committed && !measuring) {
        // Counting is all the uncommitted output is read for before live records are measured.
        continue;
      }
      String value = new String(record.value(), StandardCharsets.UTF_8);
      int bar = value.indexOf('|');
      String payload = bar < 0 ? "" : value.substring(bar + 1);
      if (bar >= 0) {
        value = value.substring(0, bar);
      }
      if (payload.startsWith("t")) {
        long sentNanos = Long.parseLong(payload.substring(1));
        if (measuring && sentNanos - measuredFromNanos >= 0) {
          latencies.add(new Latency(sentNanos - measuredFromNanos, now - sentNanos));
        }
      }
      if (!committed) {
        continue;
      }
      int eq = value.lastIndexOf('=');
      String key = value.substring(0, eq);
      int count = Integer.parseInt(value.substring(eq + 1));
      BitSet counts = seen.computeIfAbsent(key, k -> new BitSet());
      if (counts.get(count)) {
        duplicates++;
      }
      counts.set(count);
    }
    return records;
  }

  /** The given percentile of the live records' latencies, in milliseconds (0 without any). */
  double latencyMillis(double percentile) {
    return percentileMillis(latencies, percentile);
  }

  /**
   * The given percentile of the latencies of the live records sent in each consecutive {@code
   * window} of the {@code measured} time, in milliseconds: how latency develops after the backlog.
   * A record sent a little after the measured time (the sender ran late) counts in the last window.
   */
  List<Double> latencyMillisByWindow(double percentile, Duration window, Duration measured) {
    int last = (int) Math.max(0, (measured.toNanos() - 1) / window.toNanos());
    List<List<Latency>> windows = new ArrayList<>();
    for (Latency latency : latencies) {
      int w = (int) Math.min(last, latency.sentAfterStartNanos() / window.toNanos());
      while (windows.size() <= w) {
        windows.add(new ArrayList<>());
      }
      windows.get(w).add(latency);
    }
    return windows.stream().map(w -> percentileMillis(w, percentile)).toList();
  }

  private static double percentileMillis(List<Latency> latencies, double percentile) {
    return Percentiles.millis(latencies.stream().mapToLong(Latency::nanos).toArray(), percentile);
  }

  /** When the first record was read. */
  long firstRecordNanos() {
    return firstRecordNanos;
  }

  /** When the latest record was read. */
  long lastRecordNanos() {
    return lastRecordNanos;
  }

  /**
   * Notes when the output reaches a quarter and three quarters of {@code expected}, and the CPU
   * time of the given processes then, for {@link #steadyRecordsPerSecond} and {@link
   * #steadyCpuMicrosPerRecord}.
   */
  void markSteadyState(long expected, long... pids) {
    marks = new long[] {Math.max(1, expected / 4), Math.max(1, expected * 3 / 4)};
    cpuPids = pids.clone();
  }

  /**
   * CPU microseconds per record of the JIT compiler threads of the {@code index}th process given to
   * {@link #markSteadyState} between the marks: the part of its steady-state figure that a
   * longer-running process would no longer pay.
   */
  double steadyCompilerMicrosPerRecord(int index) {
    if (compilerAtMark[0] == null || compilerAtMark[1] == null) {
      return 0;
    }
    return Math.max(0, compilerAtMark[1][index] - compilerAtMark[0][index])
        / (double) (marks[1] - marks[0]);
  }

  /**
   * CPU microseconds per record of the {@code index}th process given to {@link #markSteadyState}
   * between its two marks (0 if the output never reached both).
   */
  double steadyCpuMicrosPerRecord(int index) {
    if (cpuAtMark[0] == null || cpuAtMark[1] == null) {
      return 0;
    }
    return (cpuAtMark[1][index] - cpuAtMark[0][index]) / (double) (marks[1] - marks[0]);
  }

  /**
   * Records a second between a quarter and three quarters of the expected output: the rate while
   * the job neither starts nor finishes. A span shorter than {@code minSpan} gives no rate (0):
   * committed output arrives in steps, once per checkpoint, and even emitted output should span a
   * checkpoint to show its cost.
   */
  double steadyRecordsPerSecond(Duration minSpan) {
    long span = markNanos[1] - markNanos[0];
    if (marks.length == 0 || span <= 0 || span < minSpan.toNanos()) {
      return 0;
    }
    return (marks[1] - marks[0]) / (span / 1e9);
  }

  /** Null if every key's outputs are exactly 1..c; otherwise what is wrong. */
  String problem(int keys, long expectedRecords) {
    if (duplicates > 0) {
      return duplicates + " duplicate outputs";
    }
    if (records != expectedRecords) {
      return records + " outputs, expected " + expectedRecords;
    }
    if (seen.size() != keys) {
      return seen.size() + " keys in the output, expected " + keys;
    }
    for (Map.Entry<String, BitSet> key : seen.entrySet()) {
      BitSet counts = key.getValue();
      int c = counts.cardinality();
      if (counts.nextClearBit(1) != c + 1 || counts.get(0)) {
        return "key " + key.getKey() + " has counts other than 1.." + c;
      }
    }
    return null;
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
