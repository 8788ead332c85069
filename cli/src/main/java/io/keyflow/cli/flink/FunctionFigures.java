package io.keyflow.cli.flink;

/**
 * One function type's figures over all its dispatcher subtasks, from Keyflow's per-function metrics
 * (docs/metrics.md): rates summed, latency quantiles the worst subtask's.
 *
 * @param function {@code namespace/type} as the metric group names it
 * @param inPerSecond messages delivered a second (last minute)
 * @param outPerSecond messages sent to functions and egresses a second (last minute)
 * @param latencyP50Millis median call latency over the recent calls
 * @param latencyP99Millis 99th percentile call latency over the recent calls
 * @param failuresPerSecond failed calls a second (last minute)
 * @param backlog messages waiting behind outstanding requests now
 * @param deadLetters dead letters written since the tasks started
 * @param endpointDown whether some subtask sees the type's endpoint down
 * @param heldCalls requests held while the endpoint is down
 */
public record FunctionFigures(
    String function,
    double inPerSecond,
    double outPerSecond,
    double latencyP50Millis,
    double latencyP99Millis,
    double failuresPerSecond,
    long backlog,
    long deadLetters,
    boolean endpointDown,
    long heldCalls) {}
