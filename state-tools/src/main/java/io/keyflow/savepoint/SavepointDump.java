package io.keyflow.savepoint;

import java.util.function.Consumer;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.api.input.KeyedStateInputFormat;
import org.apache.flink.state.api.input.SourceBuilder;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Lists every address of a Keyflow savepoint or retained checkpoint as JSON lines (the shape {@code
 * docs/operations.md} documents), streaming: a local Flink job restores the dispatcher's state into
 * RocksDB on local disk and hands the lines over as it reads them, so state larger than memory can
 * be dumped.
 */
public final class SavepointDump {
  private SavepointDump() {}

  /**
   * Calls {@code lines} with each address's JSON line, in key-group order.
   *
   * @param conf Flink settings for the job that reads the state (runs locally unless the caller is
   *     itself inside a Flink client or test environment)
   * @return the number of lines written
   * @throws SavepointException if the state cannot be read
   */
  public static long dump(
      DispatcherLayout layout, DumpFilter filter, Configuration conf, Consumer<String> lines) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    long count = 0;
    try {
      KeyedStateInputFormat<String, VoidNamespace, String> format =
          new KeyedStateInputFormat<>(
              layout.operatorState(),
              new EmbeddedRocksDBStateBackend(),
              new Configuration(),
              new AddressStateReader(layout.values(), layout.maxParallelism(), filter),
              env.getConfig());
      DataStream<String> keys = SourceBuilder.fromFormat(env, format, Types.STRING);
      try (CloseableIterator<String> it = keys.executeAndCollect("keyflow state dump")) {
        while (it.hasNext()) {
          String key = it.next();
          if (key.isEmpty()) {
            continue;
          }
          for (String line : key.split("\n")) {
            lines.accept(line);
            count++;
          }
        }
      }
    } catch (SavepointException e) {
      throw e;
    } catch (Exception e) {
      throw SavepointException.failed("cannot dump " + layout.path(), e);
    }
    return count;
  }
}
