package io.keyflow.cli.migrate;

import java.nio.file.Path;

/** Paths as the two halves of a migration want them. */
final class Locations {
  private Locations() {}

  /** For Flink 2.2's writer: URIs unchanged, local paths absolute with a file scheme. */
  static String uri(String path) {
    return isUri(path) ? path : Path.of(path).toAbsolutePath().normalize().toUri().toString();
  }

  /** For the reader: URIs unchanged, local paths absolute (the child has its own directory). */
  static String local(String path) {
    return isUri(path) ? path : Path.of(path).toAbsolutePath().normalize().toString();
  }

  /** Whether {@code path} starts with a URI scheme such as {@code file:} or {@code s3://}. */
  static boolean isUri(String path) {
    return path.matches("[a-zA-Z][a-zA-Z0-9+.-]+:.*");
  }
}
