package io.keyflow.io.kafka;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka sink's committer, changed in two ways for when Kafka is away (see {@link
 * OutageSafeSink}).
 *
 * <p>A commit that Kafka did not acknowledge within {@code max.block.ms} fails the task instead of
 * being retried. Flink retries a commit at once, up to ten times, and the Kafka committer retries
 * on the same producer: it either finds the producer's transaction already marked done (and fails
 * anyway), or resumes the transaction on a producer whose first commit is still under way, which
 * leaves that producer unable to finish any commit, so every retry waits {@code max.block.ms} in
 * vain. Failing at once lets the job restart, and the restored committer commits the checkpoint's
 * transactions again with a new producer as soon as Kafka answers.
 *
 * <p>{@code close()} logs what it cannot finish instead of throwing.
 *
 * <p>At DEBUG it logs each commit's start (Flink commits once it is told that a checkpoint
 * completed) and duration, to line up with the checkpoint's completion at the JobManager.
 */
final class OutageSafeCommitter implements Committer<KafkaCommittable> {
  private static final Logger LOG = LoggerFactory.getLogger(OutageSafeCommitter.class);

  private final Committer<KafkaCommittable> committer;
  private final String description;

  OutageSafeCommitter(Committer<KafkaCommittable> committer, String description) {
    this.committer = committer;
    this.description = description;
  }

  @Override
  public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
      throws IOException, InterruptedException {
    List<RetryWatchingRequest> watched = new ArrayList<>(requests.size());
    for (CommitRequest<KafkaCommittable> request : requests) {
      watched.add(new RetryWatchingRequest(request));
    }
    long startedAt = System.currentTimeMillis();
    long started = System.nanoTime();
    committer.commit(Collections.unmodifiableList(watched));
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "{}: committed {} transaction(s), started at {}, in {} us",
          description,
          watched.size(),
          startedAt,
          (System.nanoTime() - started) / 1000);
    }
    List<String> unacknowledged = new ArrayList<>();
    for (RetryWatchingRequest request : watched) {
      if (request.retryAsked()) {
        unacknowledged.add(request.getCommittable().getTransactionalId());
      }
    }
    if (!unacknowledged.isEmpty()) {
      throw new IOException(
          "Kafka did not acknowledge the commit of "
              + description
              + "'s transactions "
              + unacknowledged
              + " in time (max.block.ms; is Kafka reachable?); failing the task so that the"
              + " restored job commits them with a new producer");
    }
  }

  @Override
  public void close() {
    try {
      committer.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("Closing the Kafka committer of {} failed", description, e);
    }
  }
}
