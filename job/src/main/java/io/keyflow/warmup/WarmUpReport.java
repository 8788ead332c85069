package io.keyflow.warmup;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a warm-up did: each step's outcome and time, and the whole warm-up's time.
 *
 * @param steps the steps in the order they ran
 * @param millis the whole warm-up, in milliseconds
 */
public record WarmUpReport(List<Step> steps, long millis) {
  public WarmUpReport {
    steps = List.copyOf(steps);
  }

  /**
   * One step's outcome.
   *
   * @param name the step's name
   * @param succeeded whether it ran to its end
   * @param outcome what it did, or why it failed
   * @param millis how long it took, in milliseconds
   */
  public record Step(String name, boolean succeeded, String outcome, long millis) {}

  /** Whether every step ran to its end. */
  public boolean succeeded() {
    return steps.stream().allMatch(Step::succeeded);
  }

  /** One line for the log: the whole time, then each step with its time and outcome. */
  public String summary() {
    return "in "
        + millis
        + " ms: "
        + steps.stream()
            .map(
                s ->
                    s.name()
                        + " ("
                        + s.millis()
                        + " ms) "
                        + (s.succeeded() ? "" : "failed, ignored: ")
                        + s.outcome())
            .collect(Collectors.joining("; "));
  }
}
