package io.keyflow.warmup;

/** One part of the warm-up: does its work once and says in a few words what it did. */
interface WarmUpStep {
  /** A short name for the report, such as {@code rocksdb}. */
  String name();

  /**
   * Does the work on the calling thread.
   *
   * @return what was done, for the report
   * @throws Exception whatever went wrong; the warm-up reports it and carries on
   */
  String run() throws Exception;
}
