package io.keyflow.warmup;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import org.slf4j.LoggerFactory;

/**
 * Warms a TaskManager up for Keyflow's tasks in the background when its JVM starts ({@link
 * TaskManagerWarmUp}), so that a spare TaskManager that idles until a failover does its first-time
 * work while nothing waits for it.
 *
 * <p>A Java agent: the job jar names this class as its {@code Premain-Class}, so the TaskManager's
 * JVM option {@code -javaagent:/path/to/keyflow-job.jar} starts it, for example in Flink's {@code
 * config.yaml}:
 *
 * <pre>{@code
 * env.java.opts.taskmanager: -javaagent:/opt/flink/lib/keyflow-job.jar
 * }</pre>
 *
 * It needs the same jar in the TaskManager's {@code lib/} with {@code classloader.resolve-order:
 * parent-first}, as {@code keyflow cluster start} sets up: the classes it loads are then the ones
 * the job's tasks use. {@code -javaagent:...keyflow-job.jar=off} (or leaving the option out) turns
 * it off.
 *
 * <p>The agent returns at once: the warm-up runs on a daemon thread of minimum priority, never
 * delays or fails the TaskManager's start, begins once that start has settled ({@link
 * StartSettle}), and logs one INFO line with what it did and how long it took.
 */
public final class WarmUpAgent {
  /** The agent argument that turns the warm-up off. */
  static final String OFF = "off";

  static final String THREAD_NAME = "keyflow-warm-up";

  private WarmUpAgent() {}

  /**
   * Called by the JVM before the TaskManager's {@code main}: starts the warm-up's thread unless
   * {@code args} is {@code off}.
   */
  public static void premain(String args, Instrumentation instrumentation) {
    try {
      if (args != null && args.trim().equalsIgnoreCase(OFF)) {
        return;
      }
      start(null, true);
    } catch (Throwable e) {
      // Nothing of the warm-up may stop the TaskManager from starting; it starts cold.
    }
  }

  /**
   * Starts a daemon thread that runs {@code warmUp} (the default one when null) and logs its
   * report, once the TaskManager's start has settled if {@code afterSettle} ({@link StartSettle});
   * returns the thread.
   */
  static Thread start(TaskManagerWarmUp warmUp, boolean afterSettle) {
    Thread thread = new WarmUpThread(warmUp, afterSettle);
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
    return thread;
  }

  /**
   * The warm-up's thread. Logging, the warm-up's classes and even a lambda are first touched on it,
   * not in {@code premain}, so that nothing of their initialisation runs before the TaskManager's
   * {@code main}.
   */
  private static final class WarmUpThread extends Thread {
    private final TaskManagerWarmUp warmUp;
    private final boolean afterSettle;

    WarmUpThread(TaskManagerWarmUp warmUp, boolean afterSettle) {
      super(THREAD_NAME);
      this.warmUp = warmUp;
      this.afterSettle = afterSettle;
    }

    @Override
    public void run() {
      try {
        long waited = 0;
        if (afterSettle) {
          waited =
              StartSettle.await(
                      ManagementFactory.getClassLoadingMXBean()::getTotalLoadedClassCount,
                      StartSettle.WINDOW,
                      StartSettle.QUIET_CLASSES,
                      StartSettle.MAX_WAIT)
                  .toMillis();
        }
        TaskManagerWarmUp chosen = warmUp == null ? new TaskManagerWarmUp() : warmUp;
        LoggerFactory.getLogger(WarmUpAgent.class)
            .info(
                "Warmed this TaskManager up for Keyflow's tasks {}, after waiting {} ms for its"
                    + " start to settle (to switch it off, leave out -javaagent:...keyflow-job.jar"
                    + " or give it =off)",
                chosen.run().summary(),
                waited);
      } catch (Throwable e) {
        LoggerFactory.getLogger(WarmUpAgent.class)
            .debug("The warm-up ended early; the TaskManager runs on without it", e);
      }
    }
  }
}
