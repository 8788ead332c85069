package io.keyflow.tracing;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Where and how much Keyflow traces: the OTLP/HTTP endpoint (null: tracing off), the share of
 * context-less messages that start a trace, and the service name of the spans.
 */
public record TracingSettings(String endpoint, double samplingRatio, String serviceName)
    implements Serializable {

  /** Tracing off. */
  public static final TracingSettings OFF = new TracingSettings(null, 0, "keyflow");

  public TracingSettings {
    if (!(samplingRatio >= 0 && samplingRatio <= 1)) {
      throw new IllegalArgumentException(
          TracingOptions.SAMPLING_RATIO.key()
              + " is "
              + samplingRatio
              + "; expected a number from 0 to 1 such as 0.01");
    }
    if (endpoint != null) {
      endpoint = endpoint.trim();
      if (endpoint.isEmpty()) {
        endpoint = null;
      } else {
        checkUrl(endpoint);
      }
    }
    if (serviceName == null || serviceName.isBlank()) {
      throw new IllegalArgumentException(
          TracingOptions.SERVICE_NAME.key() + " is empty; expected a name such as keyflow");
    }
  }

  /** The settings in {@code conf}. */
  public static TracingSettings from(ReadableConfig conf) {
    return new TracingSettings(
        conf.get(TracingOptions.ENDPOINT),
        conf.get(TracingOptions.SAMPLING_RATIO),
        conf.get(TracingOptions.SERVICE_NAME));
  }

  /** Whether spans are exported. */
  public boolean enabled() {
    return endpoint != null;
  }

  private static void checkUrl(String endpoint) {
    try {
      URI url = new URI(endpoint);
      String scheme = url.getScheme();
      if (url.getHost() == null
          || scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        throw new URISyntaxException(endpoint, "not an http: or https: URL with a host");
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          TracingOptions.ENDPOINT.key()
              + " is '"
              + endpoint
              + "' ("
              + e.getReason()
              + "); expected the OTLP/HTTP traces URL of a collector such as"
              + " http://collector:4318/v1/traces",
          e);
    }
  }
}
