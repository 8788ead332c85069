package io.keyflow.cli.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checkpoints Flink retained in a checkpoint directory ({@code <dir>/<job id>/chk-<n>/
 * _metadata}), so that the next run resumes where the last one stopped.
 */
final class RetainedCheckpoints {
  private final Path dir;

  RetainedCheckpoints(Path dir) {
    this.dir = dir;
  }

  /** The most recently completed retained checkpoint, if any. */
  Optional<Path> latest() {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> jobs = Files.list(dir)) {
      return jobs.filter(Files::isDirectory)
          .flatMap(RetainedCheckpoints::completed)
          .max(Comparator.comparing(RetainedCheckpoints::completedAt));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
    }
  }

  /**
   * Deletes the checkpoints of every job but {@code keep}. Called once the running job completed a
   * checkpoint of its own: Flink restores without claiming, so that first checkpoint is complete
   * and shares no files with the older ones.
   */
  void deleteAllJobsBut(String keep) {
    try (Stream<Path> jobs = Files.list(dir)) {
      for (Path job : jobs.filter(Files::isDirectory).toList()) {
        if (!job.getFileName().toString().equals(keep)) {
          deleteRecursively(job);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up old checkpoints in " + dir, e);
    }
  }

  private static Stream<Path> completed(Path job) {
    try (Stream<Path> entries = Files.list(job)) {
      List<Path> checkpoints =
          entries
              .filter(p -> p.getFileName().toString().startsWith("chk-"))
              .filter(p -> Files.exists(p.resolve("_metadata")))
              .toList();
      return checkpoints.stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }

  private static FileTime completedAt(Path checkpoint) {
    try {
      return Files.getLastModifiedTime(checkpoint.resolve("_metadata"));
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
