package io.keyflow.io.kafka;

import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;

/** A commit request that remembers whether the committer asked to retry it later. */
final class RetryWatchingRequest implements CommitRequest<KafkaCommittable> {
  private final CommitRequest<KafkaCommittable> request;
  private boolean retryAsked;

  RetryWatchingRequest(CommitRequest<KafkaCommittable> request) {
    this.request = request;
  }

  boolean retryAsked() {
    return retryAsked;
  }

  @Override
  public KafkaCommittable getCommittable() {
    return request.getCommittable();
  }

  @Override
  public int getNumberOfRetries() {
    return request.getNumberOfRetries();
  }

  @Override
  public void signalFailedWithKnownReason(Throwable t) {
    request.signalFailedWithKnownReason(t);
  }

  @Override
  public void signalFailedWithUnknownReason(Throwable t) {
    request.signalFailedWithUnknownReason(t);
  }

  @Override
  public void retryLater() {
    retryAsked = true;
    request.retryLater();
  }

  @Override
  public void updateAndRetryLater(KafkaCommittable committable) {
    retryAsked = true;
    request.updateAndRetryLater(committable);
  }

  @Override
  public void signalAlreadyCommitted() {
    request.signalAlreadyCommitted();
  }

  /** The wrapped request's, which the Kafka committer's log lines show. */
  @Override
  public String toString() {
    return request.toString();
  }
}
