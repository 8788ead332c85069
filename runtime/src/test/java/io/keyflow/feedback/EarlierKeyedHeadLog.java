package io.keyflow.feedback;

import io.keyflow.protocol.internal.Envelope;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateCheckpointOutputStream;

/**
 * Writes the loop's log as the keyed head of earlier versions wrote it into its own raw keyed
 * state: per key group the format version, the marker, the count and each message behind its
 * length, with no prefix for timers. The layout's values are written out here rather than taken
 * from {@link KeyGroupLog}, so that a change there that no longer reads old savepoints fails the
 * tests.
 */
final class EarlierKeyedHeadLog {
  static final int VERSION = 1;
  static final int MAGIC = 0x4B464C47;

  private EarlierKeyedHeadLog() {}

  /** Writes every key group of {@code range}, empty ones too, holding its {@code messages}. */
  static void write(
      KeyedStateCheckpointOutputStream stream,
      KeyGroupRange range,
      int maxParallelism,
      List<Envelope> messages)
      throws IOException {
    Map<Integer, List<byte[]>> byKeyGroup = new HashMap<>();
    for (Envelope envelope : messages) {
      int keyGroup =
          KeyGroupRangeAssignment.assignToKeyGroup(envelope.getTarget().getId(), maxParallelism);
      byKeyGroup.computeIfAbsent(keyGroup, k -> new ArrayList<>()).add(envelope.toByteArray());
    }
    for (int keyGroup : range) {
      stream.startNewKeyGroup(keyGroup);
      DataOutputStream out = new DataOutputStream(new NonClosing(stream));
      List<byte[]> records = byKeyGroup.getOrDefault(keyGroup, List.of());
      out.writeInt(VERSION);
      out.writeInt(MAGIC);
      out.writeInt(records.size());
      for (byte[] bytes : records) {
        out.writeInt(bytes.length);
        out.write(bytes);
      }
      out.flush();
    }
  }

  /** Lets a DataOutputStream write to the checkpoint stream without closing it. */
  private static final class NonClosing extends OutputStream {
    private final OutputStream target;

    NonClosing(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      target.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      target.flush();
    }

    @Override
    public void close() {}
  }
}
