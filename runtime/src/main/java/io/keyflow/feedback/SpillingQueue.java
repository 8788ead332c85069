package io.keyflow.feedback;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayDeque;

/**
 * A FIFO queue that keeps up to a memory budget on the heap and appends the rest to a file.
 *
 * <p>Once anything is spilled, later records go to the file too until it is read to the end, so the
 * order stays first-in first-out. Thread-safe: one thread may add while another polls.
 */
final class SpillingQueue<T> implements AutoCloseable {
  private final RecordCodec<T> codec;
  private final long memoryBudget;
  private final File directory;
  private final String name;

  private final ArrayDeque<T> memory = new ArrayDeque<>();
  private long memoryBytes;

  private File spillFile;
  private DataOutputStream spillOut;
  private DataInputStream spillIn;
  private long spilled;
  private long readBack;
  private boolean flushed = true;
  private long spilledTotal;
  private long spilledBytes;

  SpillingQueue(RecordCodec<T> codec, long memoryBudget, File directory, String name) {
    this.codec = codec;
    this.memoryBudget = memoryBudget;
    this.directory = directory;
    this.name = name;
  }

  synchronized void add(T record) {
    if (spillFile == null) {
      int size = codec.size(record);
      if (memoryBytes + size <= memoryBudget || memory.isEmpty()) {
        memory.addLast(record);
        memoryBytes += size;
        return;
      }
    }
    try {
      if (spillFile == null) {
        spillFile = File.createTempFile(name + "-", ".spill", directory);
        spillFile.deleteOnExit();
        spillOut =
            new DataOutputStream(
                new BufferedOutputStream(new FileOutputStream(spillFile), 64 * 1024));
      }
      codec.write(record, spillOut);
      spilled++;
      spilledTotal++;
      spilledBytes += codec.size(record);
      flushed = false;
    } catch (IOException e) {
      throw new UncheckedIOException("spilling to " + spillFile + " failed", e);
    }
  }

  /** The next record, or null when the queue is empty. */
  synchronized T poll() {
    T head = memory.pollFirst();
    if (head != null) {
      memoryBytes -= codec.size(head);
      return head;
    }
    if (spillFile == null || readBack == spilled) {
      return null;
    }
    try {
      if (!flushed) {
        spillOut.flush();
        flushed = true;
      }
      if (spillIn == null) {
        spillIn =
            new DataInputStream(new BufferedInputStream(new FileInputStream(spillFile), 64 * 1024));
      }
      T record = codec.read(spillIn);
      readBack++;
      if (readBack == spilled) {
        deleteSpillFile();
      }
      return record;
    } catch (IOException e) {
      throw new UncheckedIOException("reading back " + spillFile + " failed", e);
    }
  }

  synchronized boolean isEmpty() {
    return memory.isEmpty() && (spillFile == null || readBack == spilled);
  }

  synchronized long size() {
    return memory.size() + (spilled - readBack);
  }

  /** Records that ever went to disk, for metrics. */
  synchronized long spilledTotal() {
    return spilledTotal;
  }

  /** Bytes of records that ever went to disk, for metrics. */
  synchronized long spilledBytes() {
    return spilledBytes;
  }

  private void deleteSpillFile() throws IOException {
    spillOut.close();
    if (spillIn != null) {
      spillIn.close();
    }
    Files.deleteIfExists(spillFile.toPath());
    spillFile = null;
    spillOut = null;
    spillIn = null;
    spilled = 0;
    readBack = 0;
    flushed = true;
  }

  @Override
  public synchronized void close() {
    memory.clear();
    memoryBytes = 0;
    if (spillFile != null) {
      try {
        deleteSpillFile();
      } catch (IOException e) {
        // Best effort: the file is temporary and marked for deletion on exit.
      }
    }
  }
}
