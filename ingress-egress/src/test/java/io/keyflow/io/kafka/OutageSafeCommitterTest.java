package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.junit.jupiter.api.Test;

class OutageSafeCommitterTest {

  @Test
  void aCommitKafkaDidNotAcknowledgeFailsTheTaskInsteadOfBeingRetried() {
    Request request = new Request("keyflow-shop-out-0-7");
    OutageSafeCommitter committer =
        new OutageSafeCommitter(new Fake(CommitRequest::retryLater), "egress shop/out");

    assertThatThrownBy(() -> committer.commit(List.of(request)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("egress shop/out")
        .hasMessageContaining("keyflow-shop-out-0-7")
        .hasMessageContaining("max.block.ms");
    assertThat(request.retries).as("the request's own state still follows the committer").isOne();
  }

  @Test
  void acknowledgedCommitsPassAndClosingNeverThrows() throws Exception {
    Request request = new Request("keyflow-shop-out-0-8");
    OutageSafeCommitter committer = new OutageSafeCommitter(new Fake(r -> {}), "egress shop/out");

    committer.commit(List.of(request));

    assertThat(request.retries).isZero();
    assertThatCode(committer::close).doesNotThrowAnyException();
  }

  /** A committer that does {@code outcome} to every request and cannot close. */
  private record Fake(Consumer<CommitRequest<KafkaCommittable>> outcome)
      implements Committer<KafkaCommittable> {
    @Override
    public void commit(Collection<CommitRequest<KafkaCommittable>> requests) {
      new ArrayList<>(requests).forEach(outcome);
    }

    @Override
    public void close() throws IOException {
      throw new IOException("closing failed");
    }
  }

  private static final class Request implements CommitRequest<KafkaCommittable> {
    private final KafkaCommittable committable;
    int retries;

    Request(String transactionalId) {
      committable = new KafkaCommittable(1, (short) 0, transactionalId, null);
    }

    @Override
    public KafkaCommittable getCommittable() {
      return committable;
    }

    @Override
    public int getNumberOfRetries() {
      return retries;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {}

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {}

    @Override
    public void retryLater() {
      retries++;
    }

    @Override
    public void updateAndRetryLater(KafkaCommittable committable) {
      retries++;
    }

    @Override
    public void signalAlreadyCommitted() {}
  }
}
