package io.keyflow.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Something an ingress or egress needs outside the job before it starts, such as Kafka topics that
 * must exist ({@link Ingress#startChecks()}, {@link Egress#startChecks()}).
 *
 * <p>A check does not check itself: its {@link Batch} checks it together with every other check of
 * the module that names the same batch. So a batch can ask each outside system one question for all
 * the components that reach it, and wait for the answers once, however many components there are.
 */
public interface StartCheck {

  /** What checks this one, together with the module's other checks that name it. */
  Batch batch();

  /** Checks a module's checks of one kind together. */
  interface Batch {
    /**
     * Checks {@code checks}, each of which names this batch as its {@link #batch()}.
     *
     * @throws RuntimeException naming what is missing, where it is declared and the fix, when
     *     something a check needs is not there
     */
    void check(List<StartCheck> checks);
  }

  /**
   * Hands {@code checks} to their batches, each batch once with all of its checks in the order
   * given; batches run one after another, in the order of their first check.
   *
   * @throws RuntimeException the first batch's refusal
   */
  static void runAll(List<? extends StartCheck> checks) {
    Map<Batch, List<StartCheck>> byBatch = new LinkedHashMap<>();
    for (StartCheck check : checks) {
      byBatch.computeIfAbsent(check.batch(), batch -> new ArrayList<>()).add(check);
    }
    byBatch.forEach((batch, batched) -> batch.check(List.copyOf(batched)));
  }
}
