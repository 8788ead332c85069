package io.keyflow.feedback;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Writes and reads records of a spilling structure, and estimates their size in memory. */
interface RecordCodec<T> {
  void write(T record, DataOutput out) throws IOException;

  T read(DataInput in) throws IOException;

  /** Approximate heap bytes the record holds, for the memory budget. */
  int size(T record);
}
