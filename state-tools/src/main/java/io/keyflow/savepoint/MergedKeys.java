package io.keyflow.savepoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.util.CloseableIterator;

/**
 * Every key of several keyed states, each key once, with the namespaces it has in the namespaced
 * ones.
 *
 * <p><b>Design note.</b> The State Processor API lists keys only for states in the void namespace,
 * and Keyflow keeps pending work in namespaced state (per function type, per fire time). Every
 * state of a RocksDB backend iterates in the same order: key group, then the serialized key. So a
 * k-way merge over one cursor per state, comparing (key group, serialized key bytes), visits each
 * key once while holding only one entry per state in memory however large the state is. A cursor
 * that goes backwards breaks that assumption and fails loudly instead of listing a key twice.
 */
final class MergedKeys implements CloseableIterator<MergedKeys.KeyWork> {

  /**
   * A key and the namespaces it has: function types with pending requests and the fire times of
   * delayed messages; and whether a schedule has the key as its id.
   */
  record KeyWork(
      String key, Set<String> functionTypes, SortedSet<Long> fireTimes, boolean schedule) {}

  /** What the namespaces of a state mean. */
  enum Namespaces {
    NONE,
    FUNCTION_TYPE,
    FIRE_TIME,
    /** Void, in a schedule's state: the key is a schedule id. */
    SCHEDULE
  }

  private final int maxParallelism;
  private final List<Cursor> cursors = new ArrayList<>();
  private final List<Stream<?>> streams = new ArrayList<>();
  private final DataOutputSerializer buffer = new DataOutputSerializer(64);
  private KeyWork next;

  MergedKeys(int maxParallelism) {
    this.maxParallelism = maxParallelism;
  }

  /** Adds the keys of a state; {@code stream} is closed with this iterator. */
  <N> void add(String state, Stream<Tuple2<String, N>> stream, Namespaces namespaces) {
    streams.add(stream);
    Cursor cursor = new Cursor(state, stream.iterator(), namespaces);
    cursor.advance();
    cursors.add(cursor);
  }

  @Override
  public boolean hasNext() {
    if (next == null) {
      next = pull();
    }
    return next != null;
  }

  @Override
  public KeyWork next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    KeyWork out = next;
    next = null;
    return out;
  }

  private KeyWork pull() {
    byte[] smallest = null;
    String key = null;
    for (Cursor c : cursors) {
      if (c.head != null && (smallest == null || Arrays.compareUnsigned(c.order, smallest) < 0)) {
        smallest = c.order;
        key = c.head.f0;
      }
    }
    if (smallest == null) {
      return null;
    }
    Set<String> types = new TreeSet<>();
    SortedSet<Long> fireTimes = new TreeSet<>();
    boolean schedule = false;
    for (Cursor c : cursors) {
      while (c.head != null && Arrays.equals(c.order, smallest)) {
        switch (c.namespaces) {
          case FUNCTION_TYPE -> types.add((String) c.head.f1);
          case FIRE_TIME -> fireTimes.add((Long) c.head.f1);
          case SCHEDULE -> schedule = true;
          case NONE -> {}
        }
        c.advance();
        if (c.head != null && Arrays.compareUnsigned(c.order, smallest) < 0) {
          throw new IllegalStateException(
              "state " + c.state + " lists key '" + c.head.f0 + "' after '" + key + "'");
        }
      }
    }
    return new KeyWork(key, types, fireTimes, schedule);
  }

  /** Key group (big-endian, as RocksDB prefixes it) followed by the serialized key. */
  private byte[] order(String key) {
    int group = KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
    buffer.clear();
    try {
      buffer.writeInt(group);
      StringSerializer.INSTANCE.serialize(key, buffer);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize key " + key, e);
    }
    return buffer.getCopyOfBuffer();
  }

  @Override
  public void close() {
    streams.forEach(Stream::close);
  }

  private final class Cursor {
    final String state;
    final Iterator<? extends Tuple2<String, ?>> entries;
    final Namespaces namespaces;
    Tuple2<String, ?> head;
    byte[] order;

    Cursor(String state, Iterator<? extends Tuple2<String, ?>> entries, Namespaces namespaces) {
      this.state = state;
      this.entries = entries;
      this.namespaces = namespaces;
    }

    void advance() {
      if (!entries.hasNext()) {
        head = null;
        order = null;
        return;
      }
      Tuple2<String, ?> entry = entries.next();
      if (head != null && entry.f0.equals(head.f0)) {
        head = entry;
        return;
      }
      head = entry;
      order = order(entry.f0);
    }
  }
}
