package io.keyflow.warmup;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares a TaskManager JVM for Keyflow's tasks before any of them arrive, so that a spare
 * TaskManager taking over a lost one's tasks does less for the first time while the job waits: it
 * loads and links the classes those tasks use, loads RocksDB's native library the way Flink's
 * RocksDB backend does (so the backend finds it loaded) and writes, reads and checkpoints a
 * throwaway database, runs the Kafka clients' and the function protocol's encoding code, and starts
 * and stops the function client's event loops. It opens no network connection and writes only to a
 * temporary directory that it deletes.
 *
 * <p>Each step runs on the calling thread; a step that fails is reported (and logged at DEBUG with
 * its stack trace) and the next one runs: {@link #run()} never throws.
 */
public final class TaskManagerWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(TaskManagerWarmUp.class);

  private final List<WarmUpStep> steps;

  /** The warm-up of a TaskManager for Keyflow's tasks. */
  public TaskManagerWarmUp() {
    this(
        List.of(
            new ClassPreloader(ClassPreloader.TASK_PACKAGES),
            new RocksDbWarmUp(),
            new KafkaClientWarmUp(),
            new ProtocolWarmUp(),
            new FunctionClientWarmUp()));
  }

  TaskManagerWarmUp(List<WarmUpStep> steps) {
    this.steps = List.copyOf(steps);
  }

  /** Runs every step once, in order. */
  public WarmUpReport run() {
    long start = System.nanoTime();
    List<WarmUpReport.Step> done = new ArrayList<>();
    for (WarmUpStep step : steps) {
      long stepStart = System.nanoTime();
      boolean succeeded;
      String outcome;
      try {
        outcome = step.run();
        succeeded = true;
      } catch (Exception | LinkageError e) {
        // A class missing from this TaskManager's classpath (another Flink, no RocksDB) or any
        // other failure only means that this part stays cold, as without the warm-up.
        LOG.debug("Warm-up step {} failed; the TaskManager runs on without it", step.name(), e);
        outcome = e.toString();
        succeeded = false;
      }
      done.add(new WarmUpReport.Step(step.name(), succeeded, outcome, millisSince(stepStart)));
    }
    return new WarmUpReport(done, millisSince(start));
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
