package io.keyflow.io.kafka;

import java.io.IOException;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka sink's committer, whose {@code close()} logs what it cannot finish instead of throwing
 * (see {@link QuietlyClosingSink}). Committing is unchanged: a commit that fails still fails the
 * task, and the restored job commits again.
 */
final class QuietlyClosingCommitter implements Committer<KafkaCommittable> {
  private static final Logger LOG = LoggerFactory.getLogger(QuietlyClosingCommitter.class);

  private final Committer<KafkaCommittable> committer;
  private final String description;

  QuietlyClosingCommitter(Committer<KafkaCommittable> committer, String description) {
    this.committer = committer;
    this.description = description;
  }

  @Override
  public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
      throws IOException, InterruptedException {
    committer.commit(requests);
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
