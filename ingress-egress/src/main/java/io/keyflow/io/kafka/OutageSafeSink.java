package io.keyflow.io.kafka;

import java.io.IOException;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.connector.kafka.sink.internal.TransactionOwnership;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;

/**
 * Flink's {@link KafkaSink}, made to end well when Kafka is away: its writer and committer never
 * fail when they are closed, and a commit Kafka does not acknowledge fails the task.
 *
 * <p>Why: when a task fails, Flink closes its operators while handling the failure, and an
 * exception thrown there is fatal to the whole TaskManager ({@code FATAL - exception in exception
 * handler of task}). The Kafka sink's writer aborts its open transaction in {@code close()}, which
 * waits for the broker up to {@code max.block.ms} and then throws; so a Kafka outage that outlasts
 * the producer's timeouts took the TaskManager down with it instead of failing the job, and a job
 * without a TaskManager restarts forever without slots. Here the error is logged and the task ends
 * as an ordinary failure: the job restarts, and the restarted writer aborts whatever transaction
 * was left open (as the connector does after any crash).
 *
 * <p>A commit that Kafka did not acknowledge in time fails the task at once instead of being
 * retried on a producer that cannot finish it ({@link OutageSafeCommitter}).
 *
 * <p>A sink that names its transactions incrementally refuses, with the egress's name and the fix,
 * to restore writer state that pooled naming wrote: the connector refuses that switch too (the
 * transactions left open under pooled ids would not be found), but with a message that names
 * neither.
 *
 * <p>Everything else is the wrapped sink's: its writer state and committables with their
 * serializers (so the operators' state is what the plain sink keeps), the co-location of writer and
 * committer, its lineage.
 *
 * @param <IN> the sink's records
 */
public final class OutageSafeSink<IN>
    implements Sink<IN>,
        SupportsWriterState<IN, KafkaWriterState>,
        SupportsCommitter<KafkaCommittable>,
        SupportsPostCommitTopology<KafkaCommittable>,
        LineageVertexProvider {
  private static final long serialVersionUID = 1L;

  private final KafkaSink<IN> sink;
  private final String description;
  private final TransactionNamingStrategy naming;

  private OutageSafeSink(KafkaSink<IN> sink, String description, TransactionNamingStrategy naming) {
    this.sink = sink;
    this.description = description;
    this.naming = naming;
  }

  /**
   * Wraps {@code sink}, which names its transactions as the connector does by default; {@code
   * description} names it in log lines, such as {@code "egress shop/orders-out"}.
   */
  public static <IN> OutageSafeSink<IN> of(KafkaSink<IN> sink, String description) {
    return of(sink, description, TransactionNamingStrategy.DEFAULT);
  }

  /** Wraps {@code sink}, built with transaction naming {@code naming}. */
  public static <IN> OutageSafeSink<IN> of(
      KafkaSink<IN> sink, String description, TransactionNamingStrategy naming) {
    return new OutageSafeSink<>(sink, description, naming);
  }

  private TwoPhaseCommittingStatefulSink<IN, KafkaWriterState, KafkaCommittable> delegate() {
    return sink;
  }

  @Override
  public SinkWriter<IN> createWriter(WriterInitContext context) throws IOException {
    return new OutageSafeWriter<>(delegate().createWriter(context), description);
  }

  @Override
  public StatefulSinkWriter<IN, KafkaWriterState> restoreWriter(
      WriterInitContext context, Collection<KafkaWriterState> recoveredState) throws IOException {
    refuseSwitchBackFromPooling(recoveredState);
    return new OutageSafeWriter<>(delegate().restoreWriter(context, recoveredState), description);
  }

  void refuseSwitchBackFromPooling(Collection<KafkaWriterState> recoveredState) {
    boolean pooledBefore =
        recoveredState.stream()
            .anyMatch(
                s -> s.getTransactionOwnership() == TransactionOwnership.EXPLICIT_BY_WRITER_STATE);
    if (pooledBefore && naming != TransactionNamingStrategy.POOLING) {
      throw new IllegalStateException(
          description
              + " restores state written with pooled transaction naming (its topics were"
              + " declared) but now names transactions incrementally (no topics declared, or"
              + " transactionNaming: incrementing). Kafka's sink cannot go back: transactions"
              + " left open under pooled ids would not be found. Declare the egress's topics again"
              + " in module.yaml (and leave transactionNaming out or set it to pooling).");
    }
  }

  @Override
  public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
    return sink.getWriterStateSerializer();
  }

  @Override
  public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
      throws IOException {
    return new OutageSafeCommitter(sink.createCommitter(context), description);
  }

  @Override
  public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
    return sink.getCommittableSerializer();
  }

  @Override
  public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
    sink.addPostCommitTopology(committables);
  }

  @Override
  public LineageVertex getLineageVertex() {
    return sink.getLineageVertex();
  }
}
