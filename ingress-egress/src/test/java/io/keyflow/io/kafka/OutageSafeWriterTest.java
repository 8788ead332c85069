package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClient;
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

  @Test
  void closingTheWriterClosesTheAdminClientTheKafkaWriterLeavesOpen() throws Exception {
    WithAdminClient leaky = new WithAdminClient("keyflow-writer-admin-test");
    assertThat(adminThreadAlive("keyflow-writer-admin-test")).isTrue();

    new OutageSafeWriter<>(leaky, "egress test/out").close();

    assertThat(leaky.closed).isTrue();
    assertThat(leaky.adminClient).isNull();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (adminThreadAlive("keyflow-writer-admin-test") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(adminThreadAlive("keyflow-writer-admin-test")).isFalse();
  }

  @Test
  void theConnectorsExactlyOnceWriterStillKeepsItsAdminClientInTheFieldThatIsClosed()
      throws Exception {
    Class<?> writer = Class.forName("org.apache.flink.connector.kafka.sink.ExactlyOnceKafkaWriter");

    assertThat(Admin.class)
        .as("a connector that renames the field or closes its own makes this fix dead code")
        .isAssignableFrom(writer.getDeclaredField(WriterAdminClient.FIELD).getType());
  }

  private static boolean adminThreadAlive(String clientId) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.isAlive() && t.getName().endsWith("| " + clientId));
  }

  /** A writer that holds an admin client in the field the connector's exactly-once writer uses. */
  private static final class WithAdminClient extends FailingClose {
    private AdminClient adminClient;

    WithAdminClient(String clientId) {
      adminClient =
          AdminClient.create(
              Map.<String, Object>of("bootstrap.servers", "127.0.0.1:1", "client.id", clientId));
    }
  }

  /** A writer whose close fails as the Kafka writer's does when the broker is away. */
  private static class FailingClose
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
