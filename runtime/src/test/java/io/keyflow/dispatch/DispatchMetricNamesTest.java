package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/metrics.md documents every metric the dispatcher registers, by the name it registers. */
class DispatchMetricNamesTest {
  private static final Path DOC = Path.of("..", "docs", "metrics.md");

  @Test
  void everyPerFunctionAndDispatcherMetricIsDocumented() throws Exception {
    String doc = Files.readString(DOC);

    assertThat(FunctionTypeMetrics.NAMES)
        .allSatisfy(name -> assertThat(doc).contains("| `" + name + "` |"));
    assertThat(DispatcherMetrics.NAMES)
        .allSatisfy(name -> assertThat(doc).contains("| `" + name + "` |"));
    assertThat(ControlMetrics.NAMES)
        .allSatisfy(name -> assertThat(doc).contains("| `" + name + "` |"));
    assertThat(doc)
        .contains(
            "| `"
                + DispatcherMetrics.ENDPOINT_GROUP
                + ".<template>."
                + DispatcherMetrics.ENDPOINT_DOWN
                + "` |");
  }
}
