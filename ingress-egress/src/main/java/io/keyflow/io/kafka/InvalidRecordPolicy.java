package io.keyflow.io.kafka;

/**
 * What a Kafka ingress does with a record it cannot route: one without a key (the key is the target
 * id) or without a value (a tombstone).
 */
public enum InvalidRecordPolicy {
  /** Log it (topic, partition, offset, reason), count it in a metric, and go on. The default. */
  SKIP,
  /** Fail the job with the same description, as StateFun does. */
  FAIL
}
