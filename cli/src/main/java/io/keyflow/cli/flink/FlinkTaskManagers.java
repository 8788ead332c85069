package io.keyflow.cli.flink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The TaskManagers registered with a cluster's ResourceManager, as its REST API lists them. */
public final class FlinkTaskManagers {
  private final FlinkRest rest;

  public FlinkTaskManagers(FlinkRest rest) {
    this.rest = rest;
  }

  /**
   * One registered TaskManager.
   *
   * @param id its resource id ({@code taskmanager.resource-id}, or Flink's generated one)
   * @param slots its task slots
   * @param freeSlots those not given to a job
   */
  public record Registered(String id, int slots, int freeSlots) {}

  /**
   * The TaskManagers registered now. The ResourceManager answers this itself (unlike job details,
   * it is not cached for {@code web.refresh-interval}), so a lost TaskManager leaves the list as
   * soon as the cluster notices the loss.
   */
  public List<Registered> registered() throws IOException, InterruptedException {
    List<Registered> registered = new ArrayList<>();
    for (JsonNode tm : rest.get("/taskmanagers").path("taskmanagers")) {
      registered.add(
          new Registered(
              tm.path("id").asText(),
              tm.path("slotsNumber").asInt(),
              tm.path("freeSlots").asInt()));
    }
    return registered;
  }
}
