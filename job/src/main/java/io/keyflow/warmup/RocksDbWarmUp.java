package io.keyflow.warmup;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Loads RocksDB's native library through Flink's RocksDB backend, which then finds it loaded on the
 * first restore, and runs a throwaway database through what a keyed task does with its own: a
 * column family, batched writes, reads, an iterator, a flush and a checkpoint. All of it in a
 * temporary directory that is deleted afterwards.
 */
final class RocksDbWarmUp implements WarmUpStep {
  private static final int KEYS = 2_000;

  @Override
  public String name() {
    return "rocksdb";
  }

  @Override
  public String run() throws Exception {
    Path dir = Files.createTempDirectory("keyflow-warm-up-rocksdb");
    try {
      String library = loadLibrary(dir);
      int read = exercise(dir.resolve("db"), dir.resolve("checkpoint"));
      return library + "; a database written, read (" + read + " keys), flushed and checkpointed";
    } finally {
      deleteRecursively(dir);
    }
  }

  /**
   * Flink's backend keeps a flag of its own besides RocksDB's: only its own loader sets it, so that
   * is the one to call (package-private in Flink 2.2; RocksDB's loader alone where it has moved).
   */
  private static String loadLibrary(Path dir) throws Exception {
    Method ensureLoaded;
    try {
      ensureLoaded =
          EmbeddedRocksDBStateBackend.class.getDeclaredMethod(
              "ensureRocksDBIsLoaded", String.class);
      ensureLoaded.setAccessible(true);
    } catch (NoSuchMethodException | RuntimeException e) {
      RocksDB.loadLibrary();
      return "native library loaded by RocksDB (Flink's loader not found: " + e + ")";
    }
    try {
      ensureLoaded.invoke(null, dir.toString());
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
    return "native library loaded by Flink's RocksDB backend";
  }

  private static int exercise(Path db, Path checkpoint) throws RocksDBException {
    byte[] value = "keyflow warm-up value".getBytes(StandardCharsets.UTF_8);
    int found = 0;
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB rocks = RocksDB.open(options, db.toString());
        ColumnFamilyHandle state =
            rocks.createColumnFamily(
                new ColumnFamilyDescriptor("keyflow-warm-up".getBytes(StandardCharsets.UTF_8)));
        WriteOptions write = new WriteOptions().setDisableWAL(true);
        WriteBatch batch = new WriteBatch()) {
      for (int i = 0; i < KEYS; i++) {
        batch.put(state, key(i), value);
      }
      rocks.write(write, batch);
      for (int i = 0; i < KEYS; i++) {
        if (rocks.get(state, key(i)) != null) {
          found++;
        }
      }
      try (RocksIterator iterator = rocks.newIterator(state)) {
        for (iterator.seekToFirst(); iterator.isValid(); iterator.next()) {
          iterator.key();
        }
      }
      try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
        rocks.flush(flush, state);
      }
      try (Checkpoint snapshot = Checkpoint.create(rocks)) {
        snapshot.createCheckpoint(checkpoint.toString());
      }
    }
    return found;
  }

  private static byte[] key(int i) {
    return ("key-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
