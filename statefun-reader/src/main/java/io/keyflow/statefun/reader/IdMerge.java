package io.keyflow.statefun.reader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Every address id of several keyed states of one key-group range, each id once, with the due times
 * of the delayed messages it sent.
 *
 * <p><b>Design note.</b> The State Processor API lists keys only for one state at a time, and the
 * delayed-message buffer is namespaced by due time. All states of a RocksDB backend iterate in the
 * same order: key group, then the serialized key. A k-way merge of one cursor per state, comparing
 * (key group, serialized key), visits each id once and holds one entry per state in memory, however
 * many ids there are. A cursor that goes backwards would break that, so it fails loudly rather than
 * list an id twice.
 */
final class IdMerge implements Iterator<IdMerge.Id>, AutoCloseable {
  /** An id, and the due times of its delayed messages (empty when it sent none). */
  record Id(String id, SortedSet<Long> dueTimes) {}

  private final int maxParallelism;
  private final List<Cursor> cursors = new ArrayList<>();
  private final List<Stream<?>> streams = new ArrayList<>();
  private final DataOutputSerializer buffer = new DataOutputSerializer(64);
  private Id next;

  IdMerge(int maxParallelism) {
    this.maxParallelism = maxParallelism;
  }

  /** Adds the ids of a state in the void namespace; {@code ids} is closed with this merge. */
  void addIds(String state, Stream<String> ids) {
    streams.add(ids);
    add(state, ids.map(id -> Tuple2.of(id, (Long) null)).iterator());
  }

  /** Adds the (id, due time) pairs of the delayed-message buffer. */
  void addDueTimes(String state, Stream<Tuple2<String, Long>> entries) {
    streams.add(entries);
    add(state, entries.iterator());
  }

  private void add(String state, Iterator<Tuple2<String, Long>> entries) {
    Cursor cursor = new Cursor(state, entries);
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
  public Id next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Id out = next;
    next = null;
    return out;
  }

  private Id pull() {
    byte[] smallest = null;
    String id = null;
    for (Cursor c : cursors) {
      if (c.head != null && (smallest == null || Arrays.compareUnsigned(c.order, smallest) < 0)) {
        smallest = c.order;
        id = c.head.f0;
      }
    }
    if (smallest == null) {
      return null;
    }
    SortedSet<Long> due = new TreeSet<>();
    for (Cursor c : cursors) {
      while (c.head != null && Arrays.equals(c.order, smallest)) {
        if (c.head.f1 != null) {
          due.add(c.head.f1);
        }
        c.advance();
        if (c.head != null && Arrays.compareUnsigned(c.order, smallest) < 0) {
          throw new IllegalStateException(
              "state " + c.state + " lists id '" + c.head.f0 + "' after '" + id + "'");
        }
      }
    }
    return new Id(id, due);
  }

  private byte[] order(String id) {
    int group = KeyGroupRangeAssignment.assignToKeyGroup(id, maxParallelism);
    buffer.clear();
    try {
      buffer.writeInt(group);
      StringSerializer.INSTANCE.serialize(id, buffer);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize id " + id, e);
    }
    return buffer.getCopyOfBuffer();
  }

  @Override
  public void close() {
    streams.forEach(Stream::close);
  }

  private final class Cursor {
    final String state;
    final Iterator<Tuple2<String, Long>> entries;
    Tuple2<String, Long> head;
    byte[] order;

    Cursor(String state, Iterator<Tuple2<String, Long>> entries) {
      this.state = state;
      this.entries = entries;
    }

    void advance() {
      if (!entries.hasNext()) {
        head = null;
        order = null;
        return;
      }
      Tuple2<String, Long> entry = entries.next();
      if (head != null && entry.f0.equals(head.f0)) {
        head = entry;
        return;
      }
      head = entry;
      order = order(entry.f0);
    }
  }
}
