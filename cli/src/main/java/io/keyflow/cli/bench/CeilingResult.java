package io.keyflow.cli.bench;

/**
 * The function server driven directly, without Flink or Kafka.
 *
 * @param batch messages per request the driver sent (the job's average, rounded)
 * @param concurrency requests the driver kept outstanding
 * @param recordsPerSecond records over the run, each one counter invocation (and one forward
 *     invocation on {@code forward})
 * @param clientCpuMicrosPerRecord CPU of the driving process per record
 * @param functionsCpuMicrosPerRecord CPU of the function server per record
 * @param invocationsPerRequest messages per HTTP request
 */
public record CeilingResult(
    int batch,
    int concurrency,
    double recordsPerSecond,
    double clientCpuMicrosPerRecord,
    double functionsCpuMicrosPerRecord,
    double invocationsPerRequest) {}
