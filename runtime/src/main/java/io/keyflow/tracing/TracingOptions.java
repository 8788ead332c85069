package io.keyflow.tracing;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Keyflow's tracing settings in the Flink configuration ({@code config.yaml} or {@code -D}). */
public final class TracingOptions {
  private TracingOptions() {}

  public static final ConfigOption<String> ENDPOINT =
      ConfigOptions.key("keyflow.tracing.endpoint")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Where spans go: the OTLP/HTTP traces URL of a collector, such as"
                  + " http://collector:4318/v1/traces. Unset (the default): tracing is off.");

  public static final ConfigOption<Double> SAMPLING_RATIO =
      ConfigOptions.key("keyflow.tracing.sampling-ratio")
          .doubleType()
          .defaultValue(1.0)
          .withDescription(
              "Share of the messages arriving without a trace context that start a trace, from 0"
                  + " to 1. Messages with a context follow its sampled flag.");

  public static final ConfigOption<String> SERVICE_NAME =
      ConfigOptions.key("keyflow.tracing.service-name")
          .stringType()
          .defaultValue("keyflow")
          .withDescription("The service.name of the spans Keyflow exports.");
}
