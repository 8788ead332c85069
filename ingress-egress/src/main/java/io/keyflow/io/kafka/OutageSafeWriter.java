package io.keyflow.io.kafka;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka sink's writer, whose {@code close()} logs what it cannot finish instead of throwing
 * (see {@link OutageSafeSink}). Runs on the task thread, as the wrapped writer does.
 *
 * <p>At DEBUG it logs how long each step of a checkpoint took on the task thread: the flush before
 * the barrier (waiting for Kafka to acknowledge every record written since the last one), the
 * pre-commit and the state snapshot, each with the time it ended, so that a checkpoint's cost in
 * the sink can be lined up with Flink's checkpoint statistics.
 */
final class OutageSafeWriter<IN>
    implements StatefulSinkWriter<IN, KafkaWriterState>,
        CommittingSinkWriter<IN, KafkaCommittable> {
  private static final Logger LOG = LoggerFactory.getLogger(OutageSafeWriter.class);

  private final PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> writer;
  private final String description;

  OutageSafeWriter(
      PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> writer,
      String description) {
    this.writer = writer;
    this.description = description;
  }

  @Override
  public void write(IN element, Context context) throws IOException, InterruptedException {
    writer.write(element, context);
  }

  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    if (!LOG.isDebugEnabled()) {
      writer.flush(endOfInput);
      return;
    }
    long started = System.nanoTime();
    writer.flush(endOfInput);
    LOG.debug(
        "{}: flushed in {} us, done at {}",
        description,
        (System.nanoTime() - started) / 1000,
        System.currentTimeMillis());
  }

  @Override
  public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
    writer.writeWatermark(watermark);
  }

  @Override
  public Collection<KafkaCommittable> prepareCommit() throws IOException, InterruptedException {
    if (!LOG.isDebugEnabled()) {
      return writer.prepareCommit();
    }
    long started = System.nanoTime();
    Collection<KafkaCommittable> committables = writer.prepareCommit();
    LOG.debug(
        "{}: pre-committed {} transaction(s) in {} us, done at {}",
        description,
        committables.size(),
        (System.nanoTime() - started) / 1000,
        System.currentTimeMillis());
    return committables;
  }

  @Override
  public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
    if (!LOG.isDebugEnabled()) {
      return writer.snapshotState(checkpointId);
    }
    long started = System.nanoTime();
    List<KafkaWriterState> state = writer.snapshotState(checkpointId);
    LOG.debug(
        "{}: snapshot of checkpoint {} in {} us, done at {}",
        description,
        checkpointId,
        (System.nanoTime() - started) / 1000,
        System.currentTimeMillis());
    return state;
  }

  @Override
  public void close() {
    try {
      writer.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn(
          "Closing the Kafka writer of {} failed (is Kafka reachable?); its open transaction is"
              + " aborted when the job restarts, or by Kafka after transaction.timeout.ms",
          description,
          e);
    } finally {
      WriterAdminClient.close(writer);
    }
  }
}
