package io.keyflow.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, from {@code /proc/<pid>/stat} (user + system, in clock ticks of 10
 * ms, the Linux default).
 */
final class ProcessCpu {
  private static final long MICROS_PER_TICK = 10_000;

  private ProcessCpu() {}

  static long micros(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name (in parentheses, which may hold spaces): utime is the 12th.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks * MICROS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the CPU time of process " + pid, e);
    }
  }
}
