package io.keyflow.cli;

import java.lang.management.ManagementFactory;
import java.util.List;

/** The flags child JVMs (cluster processes, benchmark processes) take over from this one. */
public final class JvmFlags {
  private JvmFlags() {}

  /**
   * The --add-opens/--add-exports this JVM got (Flink needs them on Java 17) and its common pool
   * size (see bin/keyflow).
   */
  public static List<String> inherited() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(
            a ->
                a.startsWith("--add-opens")
                    || a.startsWith("--add-exports")
                    || a.startsWith("-Djava.util.concurrent.ForkJoinPool.common.parallelism"))
        .toList();
  }
}
