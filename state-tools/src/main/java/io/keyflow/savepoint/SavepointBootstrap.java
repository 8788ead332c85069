package io.keyflow.savepoint;

import io.keyflow.job.KeyflowOptions;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.api.StateBootstrapTransformation;
import org.apache.flink.state.api.input.SourceBuilder;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;

/**
 * Writes a Keyflow savepoint from checked bootstrap input with Flink's State Processor API: the
 * dispatcher's operator UID, its state names, namespaces, serializers and timers, key groups
 * assigned by id as the job's {@code keyBy} assigns them, and Keyflow's default max parallelism
 * (128). A job started from it finds the values and pending work as if it had written them itself.
 * Only the dispatcher has state in it; sources start from their configured startup position.
 */
public final class SavepointBootstrap {
  /** The checkpoint id the State Processor API gives the savepoints it writes. */
  private static final long CHECKPOINT_ID = 0L;

  private SavepointBootstrap() {}

  /**
   * Writes the savepoint to {@code output} (a directory path or URI that must not exist yet).
   *
   * @param parallelism tasks that write state in parallel
   * @throws SavepointException if the local job fails
   */
  public static void write(
      BootstrapInput input, String output, int parallelism, Configuration conf) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(parallelism);
    int maxParallelism = KeyflowOptions.DEFAULT_MAX_PARALLELISM.defaultValue();
    try {
      DataStream<String> lines =
          SourceBuilder.fromFormat(env, new JsonLinesFormat(input.file()), Types.STRING);
      StateBootstrapTransformation<String> values =
          OperatorTransformation.bootstrapWith(lines)
              .keyBy(line -> BootstrapLine.parse(line, true, 0).id(), Types.STRING)
              .transform(
                  (timestamp, path) ->
                      SimpleOperatorFactory.of(
                          new AddressStateWriter(
                              CHECKPOINT_ID, timestamp, path, input.values(), input.valuesOnly())));
      SavepointWriter.newSavepoint(env, new EmbeddedRocksDBStateBackend(), maxParallelism)
          .withOperator(DispatcherLayout.dispatcher(), values)
          .write(output);
      env.execute("keyflow state bootstrap");
    } catch (Exception e) {
      throw SavepointException.failed("cannot write a savepoint to " + output, e);
    }
  }
}
