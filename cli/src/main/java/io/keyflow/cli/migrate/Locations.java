package io.keyflow.cli.migrate;

import io.keyflow.cli.state.StateCommand;
import java.nio.file.Path;

/**
 * Paths for the reader half of a migration; the writer half takes {@link StateCommand#location}.
 */
final class Locations {
  private Locations() {}

  /** For the reader: URIs unchanged, local paths absolute (the child has its own directory). */
  static String local(String path) {
    return StateCommand.isUri(path) ? path : Path.of(path).toAbsolutePath().normalize().toString();
  }
}
