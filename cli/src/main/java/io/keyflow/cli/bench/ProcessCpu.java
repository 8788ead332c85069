package io.keyflow.cli.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
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
      return ticks(Path.of("/proc", Long.toString(pid), "stat")) * MICROS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the CPU time of process " + pid, e);
    }
  }

  /**
   * CPU time the JVM's JIT compiler threads ({@code C1/C2 CompilerThread}) of process {@code pid}
   * have used so far. Compiler threads that ended are not counted.
   */
  static long compilerMicros(long pid) {
    long ticks = 0;
    try (DirectoryStream<Path> threads =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : threads) {
        try {
          String name = Files.readString(thread.resolve("comm")).trim();
          if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            ticks += ticks(thread.resolve("stat"));
          }
        } catch (IOException | RuntimeException e) {
          // The thread ended while being read.
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list the threads of process " + pid, e);
    }
    return ticks * MICROS_PER_TICK;
  }

  private static long ticks(Path stat) throws IOException {
    String text = Files.readString(stat);
    // Fields after the command name (in parentheses, which may hold spaces): utime is the 12th.
    String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
