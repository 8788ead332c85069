package io.keyflow.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ClusterOverviewTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void taskManagersAndFreeSlotsAreCounted() throws Exception {
    assertThat(
            ClusterOverview.describe(
                json("{\"taskmanagers\":2,\"slots-total\":4,\"slots-available\":1}")))
        .isEqualTo("cluster: 2 TaskManagers, 4 slots, 1 free");
  }

  @Test
  void aClusterWithoutTaskManagersSaysJobsWaitForOne() throws Exception {
    assertThat(
            ClusterOverview.describe(
                json("{\"taskmanagers\":0,\"slots-total\":0,\"slots-available\":0}")))
        .startsWith("cluster: no TaskManager is registered; jobs wait for slots");
  }

  @Test
  void theLatestFailureIsTheFirstLineOfItsStackTrace() throws Exception {
    JsonNode exceptions =
        json(
            """
            {"exceptionHistory": {"entries": [
              {"exceptionName": "org.apache.flink.runtime.jobmanager.scheduler.NoResourceAvailableException",
               "stacktrace": "org.apache.flink.runtime.jobmanager.scheduler.NoResourceAvailableException: Could not acquire the minimum required resources.\\n\\tat x",
               "timestamp": 0}
            ], "truncated": false}}
            """);

    assertThat(ClusterOverview.latestFailure(exceptions))
        .isEqualTo(
            "latest failure at 1970-01-01T00:00:00Z:"
                + " org.apache.flink.runtime.jobmanager.scheduler.NoResourceAvailableException:"
                + " Could not acquire the minimum required resources.");
    assertThat(ClusterOverview.latestFailure(json("{\"exceptionHistory\":{\"entries\":[]}}")))
        .isNull();
  }

  @Test
  void restartsListTheLatestFailureThenEarlierOnesWithTheirTasks() throws Exception {
    JsonNode exceptions =
        json(
            """
            {"exceptionHistory": {"entries": [
              {"exceptionName": "java.io.IOException", "stacktrace": "java.io.IOException: disk full\\n\\tat x",
               "timestamp": 2000, "taskName": "functions (1/2)"},
              {"exceptionName": "java.lang.IllegalStateException", "stacktrace": "",
               "timestamp": 1000, "taskName": null},
              {"exceptionName": "java.lang.Error", "stacktrace": "java.lang.Error: old", "timestamp": 0}
            ]}}
            """);

    assertThat(ClusterOverview.restarts(3, exceptions, 2))
        .containsExactly(
            "restarts: 3",
            "  latest failure at 1970-01-01T00:00:02Z: java.io.IOException: disk full"
                + " (in functions (1/2))",
            "  earlier failure at 1970-01-01T00:00:01Z: java.lang.IllegalStateException");
    assertThat(ClusterOverview.restarts(0, json("{\"exceptionHistory\":{\"entries\":[]}}"), 3))
        .containsExactly("restarts: 0");
  }
}
