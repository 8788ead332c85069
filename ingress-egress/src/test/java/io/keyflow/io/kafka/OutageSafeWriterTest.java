package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Collection;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class OutageSafeWriterTest {

  @Test
  void aWriterThatCannotAbortItsTransactionClosesWithoutThrowing() {
    FailingClose failing = new FailingClose();
    OutageSafeWriter<String> writer = new OutageSafeWriter<>(failing, "egress test/out");

    assertThatCode(writer::close).doesNotThrowAnyException();
    assertThat(failing.closed).isTrue();
  }

  @Test
  void everythingButClosingIsTheWrappedWritersOwn() throws Exception {
    FailingClose failing = new FailingClose();
    OutageSafeWriter<String> writer = new OutageSafeWriter<>(failing, "egress test/out");

    writer.write("a", null);
    writer.flush(false);

    assertThat(failing.written).containsExactly("a");
    assertThat(failing.flushes).isEqualTo(1);
  }

  /** A writer whose close fails as the Kafka writer's does when the broker is away. */
  private static final class FailingClose
      implements PrecommittingStatefulSinkWriter<String, KafkaWriterState, KafkaCommittable> {
    final List<String> written = new java.util.ArrayList<>();
    int flushes;
    boolean closed;

    @Override
    public void write(String element, Context context) {
      written.add(element);
    }

    @Override
    public void flush(boolean endOfInput) {
      flushes++;
    }

    @Override
    public Collection<KafkaCommittable> prepareCommit() {
      return List.of();
    }

    @Override
    public List<KafkaWriterState> snapshotState(long checkpointId) {
      return List.of();
    }

    @Override
    public void close() {
      closed = true;
      throw new TimeoutException("Timeout expired after 5000ms while awaiting EndTxn(false)");
    }
  }
}
