package io.keyflow.cli.run;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Turns SIGINT (Ctrl-C) and SIGTERM into an orderly stop. The JVM's default would run shutdown
 * hooks concurrently with the running job and exit with 130; the run instead cancels the job,
 * closes what it started in order, and exits 0.
 */
public final class Shutdown {
  private Shutdown() {}

  /** A latch released by the first SIGINT or SIGTERM. */
  public static CountDownLatch onSignal() {
    CountDownLatch stop = new CountDownLatch(1);
    for (String name : new String[] {"INT", "TERM"}) {
      Signal.handle(new Signal(name), signal -> stop.countDown());
    }
    return stop;
  }

  /** Ends the process with status 1 if the orderly stop takes longer than {@code limit}. */
  public static void startWatchdog(Duration limit, PrintStream out) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(limit.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              out.println("Stopping took longer than " + limit.toSeconds() + " s; exiting now");
              out.flush();
              Runtime.getRuntime().halt(1);
            },
            "keyflow-stop-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
