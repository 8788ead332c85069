package io.keyflow.cli.bench;

/**
 * One workload's figures.
 *
 * @param recordsPerSecond records over the time from submitting the job to the last committed
 *     output
 * @param drainRecordsPerSecond records over the time from the first to the last committed output
 *     (the job's start-up left out)
 * @param invocationsPerRequest messages per HTTP request (the batch shape)
 * @param keyflowCpuMicrosPerRecord CPU of the Keyflow process (the MiniCluster) per record
 * @param functionsCpuMicrosPerRecord CPU of the function server per record
 * @param brokerCpuMicrosPerRecord CPU of the Kafka broker per record
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
    double invocationsPerRequest,
    double keyflowCpuMicrosPerRecord,
    double functionsCpuMicrosPerRecord,
    double brokerCpuMicrosPerRecord,
    boolean correct,
    String problem) {}
