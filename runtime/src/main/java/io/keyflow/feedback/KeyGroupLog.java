package io.keyflow.feedback;

import io.keyflow.protocol.internal.Envelope;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateCheckpointOutputStream;

/**
 * The messages that were inside the feedback loop at one checkpoint, grouped by the key group of
 * their target so that a restore at another parallelism hands each to its new owner.
 *
 * <p>Kept in memory up to a budget; past it every key group's records move to a file of their own
 * and later records are appended there, so each key group stays in arrival order. Used on the
 * head's task thread only.
 */
final class KeyGroupLog implements AutoCloseable {
  /** Marks the start of a key group's records; a restore checks it. */
  static final int MAGIC = 0x4B464C47;

  static final int VERSION = 1;

  /**
   * Written before each key group's log in the dispatcher's raw keyed state. A reader that takes a
   * keyed operator's raw keyed state for Flink's timers (the State Processor API does, for the
   * state tools) reads it as "no timer services" and stops there; the earlier keyed head, which had
   * the raw keyed state to itself, wrote no such prefix.
   */
  static final int NO_TIMERS = 0;

  private final int maxParallelism;
  private final long memoryBudget;
  private final File directory;
  private final Map<Integer, List<byte[]>> memory = new HashMap<>();
  private final Map<Integer, Integer> counts = new HashMap<>();
  private final Map<Integer, File> files = new HashMap<>();
  private final Map<Integer, DataOutputStream> outs = new HashMap<>();
  private long memoryBytes;
  private boolean spilled;

  KeyGroupLog(int maxParallelism, long memoryBudget, File directory) {
    this.maxParallelism = maxParallelism;
    this.memoryBudget = memoryBudget;
    this.directory = directory;
  }

  void append(Envelope envelope) throws IOException {
    int keyGroup =
        KeyGroupRangeAssignment.assignToKeyGroup(envelope.getTarget().getId(), maxParallelism);
    byte[] bytes = envelope.toByteArray();
    counts.merge(keyGroup, 1, Integer::sum);
    if (!spilled && memoryBytes + bytes.length <= memoryBudget) {
      memory.computeIfAbsent(keyGroup, k -> new ArrayList<>()).add(bytes);
      memoryBytes += bytes.length + 16;
      return;
    }
    if (!spilled) {
      spillAll();
    }
    write(out(keyGroup), bytes);
  }

  /**
   * Writes every key group of {@code range}, including empty ones, to the checkpoint stream of the
   * operator that hosts the log, each behind {@link #NO_TIMERS}.
   */
  void writeTo(KeyedStateCheckpointOutputStream stream, KeyGroupRange range) throws IOException {
    for (DataOutputStream out : outs.values()) {
      out.flush();
    }
    for (int keyGroup : range) {
      stream.startNewKeyGroup(keyGroup);
      DataOutputStream out = new DataOutputStream(new NonClosing(stream));
      out.writeInt(NO_TIMERS);
      out.writeInt(VERSION);
      out.writeInt(MAGIC);
      out.writeInt(counts.getOrDefault(keyGroup, 0));
      File file = files.get(keyGroup);
      if (file != null) {
        try (DataInputStream in =
            new DataInputStream(new BufferedInputStream(new FileInputStream(file)))) {
          in.transferTo(out);
        }
      }
      for (byte[] bytes : memory.getOrDefault(keyGroup, List.of())) {
        write(out, bytes);
      }
      out.flush();
    }
  }

  /**
   * Reads one key group's records as {@link #writeTo} wrote them into the host's raw keyed state,
   * passing each to {@code sink}.
   *
   * @return how many there were
   * @throws IOException if the stream does not hold a log, naming the key group
   */
  static long readHostKeyGroup(int keyGroup, DataInputStream in, Consumer<Envelope> sink)
      throws IOException {
    int prefix = in.readInt();
    if (prefix != NO_TIMERS) {
      throw new IOException(
          "key group "
              + keyGroup
              + " of the dispatcher's raw keyed state does not start as a Keyflow feedback log"
              + " (found "
              + Integer.toHexString(prefix)
              + " where 0 belongs)");
    }
    return read(keyGroup, in, sink);
  }

  /**
   * Reads one key group's records without the host's prefix, as the keyed head of earlier versions
   * wrote them, passing each to {@code sink}.
   *
   * @return how many there were
   * @throws IOException if the stream does not hold a log, naming the key group
   */
  static long read(int keyGroup, DataInputStream in, Consumer<Envelope> sink) throws IOException {
    int version = in.readInt();
    int magic = in.readInt();
    if (version != VERSION || magic != MAGIC) {
      throw new IOException(
          "key group "
              + keyGroup
              + " of the feedback loop's state is not a Keyflow feedback log (version "
              + version
              + ", marker "
              + Integer.toHexString(magic)
              + ")");
    }
    int count = in.readInt();
    for (int i = 0; i < count; i++) {
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      sink.accept(Envelope.parseFrom(bytes));
    }
    return count;
  }

  long records() {
    return counts.values().stream().mapToLong(Integer::longValue).sum();
  }

  private void spillAll() throws IOException {
    spilled = true;
    for (Map.Entry<Integer, List<byte[]>> e : memory.entrySet()) {
      DataOutputStream out = out(e.getKey());
      for (byte[] bytes : e.getValue()) {
        write(out, bytes);
      }
    }
    memory.clear();
    memoryBytes = 0;
  }

  private DataOutputStream out(int keyGroup) throws IOException {
    DataOutputStream out = outs.get(keyGroup);
    if (out == null) {
      File file =
          File.createTempFile("keyflow-feedback-log-" + keyGroup + "-", ".spill", directory);
      file.deleteOnExit();
      files.put(keyGroup, file);
      out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(file), 64 * 1024));
      outs.put(keyGroup, out);
    }
    return out;
  }

  private static void write(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  @Override
  public void close() {
    for (DataOutputStream out : outs.values()) {
      try {
        out.close();
      } catch (IOException e) {
        // Temporary file; deleted below or on exit.
      }
    }
    for (File file : files.values()) {
      try {
        Files.deleteIfExists(file.toPath());
      } catch (IOException e) {
        // Marked for deletion on exit.
      }
    }
    outs.clear();
    files.clear();
    memory.clear();
    counts.clear();
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
