package io.keyflow.io.kafka;

/**
 * What a Kafka ingress does with a record it cannot route: one without a key (the key is the target
 * id) or without a value (a tombstone).
 */
public enum InvalidRecordPolicy {
  /** Log it (topic, partition, offset, reason), count it in a metric, and go on. The default. */
  SKIP,
  /** Fail the job with the same description, as StateFun does. */
  FAIL,
  /**
   * Write the record unchanged to the ingress's dead-letter topic, with the reason and its origin
   * in headers, then go on. At least once: a record can be dead-lettered again after a restore.
   */
  DEAD_LETTER
}
