package io.keyflow.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/metrics.md documents every tracing metric, by the name it registers. */
class TracingMetricNamesTest {
  private static final Path DOC = Path.of("..", "docs", "metrics.md");

  @Test
  void everyTracingMetricIsDocumented() throws Exception {
    String doc = Files.readString(DOC);

    assertThat(TracingMetrics.NAMES)
        .allSatisfy(name -> assertThat(doc).contains("| `" + name + "` |"));
  }
}
