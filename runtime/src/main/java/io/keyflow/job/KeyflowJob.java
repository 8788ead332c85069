package io.keyflow.job;

import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the Keyflow job: loads {@code module.yaml} and runs its functions.
 *
 * <p>Arguments: {@code [--module LOCATION]}, where LOCATION is a path, a {@code file:} URL or
 * {@code classpath:NAME}; without it {@link KeyflowOptions#MODULE} applies. Everything else comes
 * from the Flink configuration.
 */
public final class KeyflowJob {
  private KeyflowJob() {}

  public static void main(String[] args) throws Exception {
    String location = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--module") && i + 1 < args.length) {
        location = args[++i];
      } else if (args[i].startsWith("--module=")) {
        location = args[i].substring("--module=".length());
      } else {
        throw new IllegalArgumentException(
            "unknown argument '" + args[i] + "'; usage: KeyflowJob [--module LOCATION]");
      }
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Configuration conf = Configuration.fromMap(env.getConfiguration().toMap());
    Module module =
        ModuleLoader.load(location != null ? location : conf.get(KeyflowOptions.MODULE));
    KeyflowTopology.build(env, module, conf);
    env.execute(conf.get(KeyflowOptions.JOB_NAME));
  }
}
