package io.keyflow.statefun.harness;

import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.statefun.flink.core.StatefulFunctionsConfig;
import org.apache.flink.statefun.flink.core.StatefulFunctionsJob;
import org.apache.flink.statefun.flink.core.StatefulFunctionsUniverse;
import org.apache.flink.statefun.flink.core.StatefulFunctionsUniverseProvider;
import org.apache.flink.statefun.flink.core.spi.Modules;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs a real StateFun 3.3 job (its own {@code StatefulFunctionsJob}, Flink 1.16, RocksDB) in a
 * local MiniCluster, for tests that need a StateFun application and its savepoints. Runs in a JVM
 * of its own with this module's test classpath ({@code target/test-classpath.txt}).
 *
 * <p>Usage: {@code --module FILE --rest-port N --checkpoints DIR [--parallelism N]
 * [--checkpoint-interval MILLIS]}. The job reads the remote module from {@code FILE}; a test drives
 * it through Flink's REST API on {@code N} (find the job, take a savepoint, cancel it) and the
 * process ends when the job does.
 */
public final class StatefunJobMain {
  private StatefunJobMain() {}

  /** Loads the modules StateFun finds on the classpath and in the remote module file. */
  static final class ClassPathModules implements StatefulFunctionsUniverseProvider {
    private static final long serialVersionUID = 1L;

    @Override
    public StatefulFunctionsUniverse get(ClassLoader classLoader, StatefulFunctionsConfig config) {
      return Modules.loadFromClassPath(config).createStatefulFunctionsUniverse();
    }
  }

  public static void main(String[] args) throws Exception {
    String module = null;
    String checkpoints = null;
    int restPort = -1;
    int parallelism = 2;
    long checkpointInterval = 1_000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--module" -> module = args[i + 1];
        case "--checkpoints" -> checkpoints = args[i + 1];
        case "--rest-port" -> restPort = Integer.parseInt(args[i + 1]);
        case "--parallelism" -> parallelism = Integer.parseInt(args[i + 1]);
        case "--checkpoint-interval" -> checkpointInterval = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (module == null || checkpoints == null || restPort < 0) {
      throw new IllegalArgumentException(
          "usage: --module FILE --rest-port N --checkpoints DIR [--parallelism N]"
              + " [--checkpoint-interval MILLIS]");
    }
    Configuration conf = new Configuration();
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.PORT, restPort);
    conf.setString("state.backend", "rocksdb");
    conf.setString("state.checkpoints.dir", Path.of(checkpoints).toUri().toString());
    conf.setString("execution.checkpointing.interval", checkpointInterval + " ms");
    conf.setString("taskmanager.numberOfTaskSlots", String.valueOf(parallelism));
    conf.setString("pipeline.max-parallelism", "128");
    conf.setString(
        StatefulFunctionsConfig.REMOTE_MODULE_NAME.key(),
        Path.of(module).toAbsolutePath().toUri().toString());
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    StatefulFunctionsConfig statefun = StatefulFunctionsConfig.fromFlinkConfiguration(conf);
    statefun.setProvider(new ClassPathModules());
    try {
      StatefulFunctionsJob.main(env, statefun);
    } catch (Exception e) {
      // Cancelled after its savepoint: the usual end in tests.
      System.err.println("StateFun job ended: " + e);
    }
    System.exit(0);
  }
}
