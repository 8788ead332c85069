package io.keyflow.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetainedCheckpointsTest {
  @TempDir Path dir;

  private Path checkpoint(String job, int n, long completedAtMillis) throws Exception {
    Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
    Path metadata = Files.writeString(chk.resolve("_metadata"), "x");
    Files.setLastModifiedTime(metadata, FileTime.fromMillis(completedAtMillis));
    return chk;
  }

  @Test
  void noDirectoryMeansNothingToResume() {
    assertThat(new RetainedCheckpoints(dir.resolve("missing")).latest()).isEmpty();
  }

  @Test
  void theMostRecentlyCompletedCheckpointOfAnyJobIsResumed() throws Exception {
    checkpoint("job-a", 40, 1_000);
    Path newest = checkpoint("job-b", 3, 2_000);
    // A checkpoint still being written has no _metadata and does not count.
    Files.createDirectories(dir.resolve("job-b").resolve("chk-4"));

    assertThat(new RetainedCheckpoints(dir).latest()).contains(newest);
  }

  @Test
  void olderJobsAreDeletedOnceTheRunningJobHasItsOwnCheckpoint() throws Exception {
    checkpoint("job-a", 40, 1_000);
    Path kept = checkpoint("job-b", 3, 2_000);

    new RetainedCheckpoints(dir).deleteAllJobsBut("job-b");

    assertThat(dir.resolve("job-a")).doesNotExist();
    assertThat(kept.resolve("_metadata")).exists();
  }
}
