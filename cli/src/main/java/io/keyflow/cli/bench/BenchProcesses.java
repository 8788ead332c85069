package io.keyflow.cli.bench;

import io.keyflow.cli.run.EmbeddedFlink;

/**
 * What every run of one benchmark shares: the Kafka broker, the function server and the
 * MiniCluster, each started once.
 *
 * @param bootstrapServers the broker's address
 * @param brokerPid the broker's process, whose CPU is measured
 * @param functionsPort where the function server ({@link BenchFunctions}) listens
 * @param functionsPid the function server's process, whose CPU is measured
 * @param flink the MiniCluster the runs' jobs go to, one after the other
 */
record BenchProcesses(
    String bootstrapServers,
    long brokerPid,
    int functionsPort,
    long functionsPid,
    EmbeddedFlink flink) {}
