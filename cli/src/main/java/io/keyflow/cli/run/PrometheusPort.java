package io.keyflow.cli.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The port of Flink's Prometheus reporter in an embedded run. Flink's reporter takes a range and
 * logs which port it got; {@code keyflow run} picks the first free port of the range itself, so it
 * can say where metrics are served. The reporter listens on every interface, so a port is free when
 * it can be bound there.
 */
final class PrometheusPort {
  static final String REPORTER = "prom";
  static final String FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
  static final String OFF = "off";

  private PrometheusPort() {}

  /**
   * The first free port of {@code spec} ({@code PORT} or {@code FIRST-LAST}), or empty for {@code
   * off}.
   *
   * @throws IllegalArgumentException if the spec is malformed or no port of it is free
   */
  static OptionalInt choose(String spec) {
    if (spec.equals(OFF)) {
      return OptionalInt.empty();
    }
    int first;
    int last;
    try {
      int dash = spec.indexOf('-');
      first = Integer.parseInt(dash < 0 ? spec : spec.substring(0, dash).trim());
      last = dash < 0 ? first : Integer.parseInt(spec.substring(dash + 1).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--prometheus-port " + spec + ": expected a port, a range such as 9249-9260, or off");
    }
    for (int port = first; port <= last; port++) {
      if (free(port)) {
        return OptionalInt.of(port);
      }
    }
    throw new IllegalArgumentException(
        "--prometheus-port "
            + spec
            + ": every port is in use; name another range, or off to serve no metrics");
  }

  /** The Flink options that start the reporter on {@code port}. */
  static Map<String, String> options(int port) {
    String prefix = "metrics.reporter." + REPORTER + ".";
    return Map.of(prefix + "factory.class", FACTORY, prefix + "port", Integer.toString(port));
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
