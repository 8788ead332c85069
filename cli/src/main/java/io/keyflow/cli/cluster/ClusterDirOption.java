package io.keyflow.cli.cluster;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --dir} option every {@code keyflow cluster} command shares. */
final class ClusterDirOption {
  @Option(
      names = "--dir",
      paramLabel = "DIR",
      defaultValue = ".keyflow/cluster",
      description = "The cluster directory (default: ${DEFAULT-VALUE}).")
  Path dir;
}
