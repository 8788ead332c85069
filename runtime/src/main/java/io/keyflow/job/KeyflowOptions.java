package io.keyflow.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** Keyflow's settings in the Flink configuration ({@code config.yaml} or {@code -D}). */
public final class KeyflowOptions {
  private KeyflowOptions() {}

  public static final ConfigOption<String> MODULE =
      ConfigOptions.key("keyflow.module")
          .stringType()
          .defaultValue("classpath:module.yaml")
          .withDescription(
              "Where module.yaml is: a path, a file: URL, or classpath:NAME (every resource of"
                  + " that name is loaded). The --module program argument overrides it.");

  public static final ConfigOption<String> JOB_NAME =
      ConfigOptions.key("keyflow.job-name")
          .stringType()
          .defaultValue("Keyflow")
          .withDescription("Name of the Flink job.");

  public static final ConfigOption<Integer> MAX_OUTSTANDING_REQUESTS =
      ConfigOptions.key("keyflow.dispatch.max-outstanding-requests")
          .intType()
          .defaultValue(32768)
          .withDescription(
              "Addresses with a request outstanding, per dispatcher subtask, before the"
                  + " subtask stops taking input (0 or less: no limit). As in StateFun"
                  + " (statefun.async.max-per-task). Beyond the endpoint's pool_size, requests"
                  + " wait in memory for a connection, and messages for their addresses batch"
                  + " up meanwhile; lower it when states are large or the heap is small.");

  public static final ConfigOption<MemorySize> FEEDBACK_MEMORY =
      ConfigOptions.key("keyflow.feedback.memory")
          .memoryType()
          .defaultValue(MemorySize.parse("32 mb"))
          .withDescription(
              "Heap per subtask for messages between functions that wait in the feedback"
                  + " channel, and again for those logged into a checkpoint; beyond it they"
                  + " spill to the TaskManager's temporary directories.");

  public static final ConfigOption<Integer> DEFAULT_MAX_PARALLELISM =
      ConfigOptions.key("keyflow.default-max-parallelism")
          .intType()
          .defaultValue(128)
          .withDescription(
              "Max parallelism (number of key groups) used when pipeline.max-parallelism is"
                  + " not set. It bounds how far a job can be rescaled from a savepoint and must"
                  + " stay the same for the life of the state.");
}
