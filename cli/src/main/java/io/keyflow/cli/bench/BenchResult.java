package io.keyflow.cli.bench;

import java.util.List;

/**
 * One workload's figures.
 *
 * @param recordsPerSecond records over the time from submitting the job to the last committed
 *     output
 * @param drainRecordsPerSecond records over the time from the first to the last output written
 *     (read uncommitted: the job's start-up left out, not rounded to the checkpoints' commits)
 * @param steadyRecordsPerSecond records a second between a quarter and three quarters of the output
 *     as emitted (neither start-up nor the tail; 0 if that took less than a checkpoint interval)
 * @param invocationsPerRequest messages per HTTP request (the batch shape)
 * @param keyflowCpuMicrosPerRecord CPU of the Keyflow process (the MiniCluster) per record
 * @param functionsCpuMicrosPerRecord CPU of the function server per record
 * @param brokerCpuMicrosPerRecord CPU of the Kafka broker per record
 * @param steadyKeyflowCpuMicrosPerRecord CPU of the Keyflow process per record between a quarter
 *     and three quarters of the output: no start-up, and most of the JVM's warm-up behind it
 * @param steadyKeyflowCompilerMicrosPerRecord the part of the above spent by the JVM's JIT compiler
 *     threads, which a long-running job stops paying
 * @param steadyFunctionsCpuMicrosPerRecord the same for the function server
 * @param steadyFunctionsCompilerMicrosPerRecord the part of the above spent by the function
 *     server's JIT compiler threads
 * @param steadyBrokerCpuMicrosPerRecord the same for the broker
 * @param liveRecords records sent one by one after the backlog, at the live rate, whose latency was
 *     measured
 * @param liveSettlingSeconds how long the live trickle ran before its records were measured
 * @param emittedP50Millis median time from sending a live record to its output being written (not
 *     yet committed)
 * @param emittedP99ByWindowMillis the emitted p99 of the live records sent in each 10 s of the
 *     measured time, in order: how latency settles after the backlog
 * @param visibleP50Millis median time until the output is visible to a read_committed consumer
 * @param ceiling the function server driven directly with the same batch shape and concurrency
 * @param correct whether every key's outputs are exactly 1..c
 */
public record BenchResult(
    String workload,
    long records,
    int keys,
    int parallelism,
    double seconds,
    double recordsPerSecond,
    double drainRecordsPerSecond,
    double steadyRecordsPerSecond,
    double invocationsPerRequest,
    double keyflowCpuMicrosPerRecord,
    double functionsCpuMicrosPerRecord,
    double brokerCpuMicrosPerRecord,
    double steadyKeyflowCpuMicrosPerRecord,
    double steadyKeyflowCompilerMicrosPerRecord,
    double steadyFunctionsCpuMicrosPerRecord,
    double steadyFunctionsCompilerMicrosPerRecord,
    double steadyBrokerCpuMicrosPerRecord,
    long liveRecords,
    long liveSettlingSeconds,
    double emittedP50Millis,
    double emittedP99Millis,
    List<Double> emittedP99ByWindowMillis,
    double visibleP50Millis,
    double visibleP99Millis,
    CeilingResult ceiling,
    boolean correct,
    String problem) {

  /**
   * The job's throughput as a share of the ceiling (0 to 1; 0 without a ceiling): the steady
   * state's, or the drain's when the run was too short for a steady state.
   */
  public double shareOfCeiling() {
    return ceiling == null || ceiling.recordsPerSecond() <= 0
        ? 0
        : shareBasis() / ceiling.recordsPerSecond();
  }

  /** Whether {@link #shareOfCeiling} compares the drain rate, the run having no steady state. */
  public boolean shareFromDrain() {
    return steadyRecordsPerSecond <= 0;
  }

  private double shareBasis() {
    return shareFromDrain() ? drainRecordsPerSecond : steadyRecordsPerSecond;
  }
}
