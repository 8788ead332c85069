package io.keyflow.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/metrics.md documents every metric the feedback head registers. */
class FeedbackMetricNamesTest {

  @Test
  void everyFeedbackMetricIsDocumented() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "metrics.md"));

    assertThat(FeedbackMetrics.NAMES)
        .allSatisfy(name -> assertThat(doc).contains("| `" + name + "` |"));
  }
}
