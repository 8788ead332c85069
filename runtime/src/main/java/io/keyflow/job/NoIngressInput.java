package io.keyflow.job;

import io.keyflow.protocol.internal.Envelope;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The input of a job whose module declares schedules and no ingress (a nightly report, say): an
 * unbounded source that never emits a record.
 *
 * <p>Why a job needs it: the feedback loop's head needs an input stream, and the schedules' timers
 * run only while the dispatcher runs. A bounded or finished input would end the job
 * (processing-time timers pending at the end of input are dropped), so this source stays running,
 * idle, for as long as the job does. It has no splits and no state; checkpoint barriers pass
 * through it like through any idle source, so checkpoints complete and schedules fire exactly once
 * as with an ingress.
 */
final class NoIngressInput
    implements Source<Envelope, NoIngressInput.Nothing, NoIngressInput.Nothing> {
  private static final long serialVersionUID = 1L;

  /**
   * The split type, of which no instance is ever assigned, and the enumerator's checkpoint, which
   * holds nothing (a non-null value, so that no serialization path meets a null).
   */
  static final class Nothing implements SourceSplit {
    static final Nothing INSTANCE = new Nothing();

    @Override
    public String splitId() {
      return "none";
    }
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SourceReader<Envelope, Nothing> createReader(SourceReaderContext context) {
    return new Reader();
  }

  @Override
  public SplitEnumerator<Nothing, Nothing> createEnumerator(
      SplitEnumeratorContext<Nothing> context) {
    return new Enumerator();
  }

  @Override
  public SplitEnumerator<Nothing, Nothing> restoreEnumerator(
      SplitEnumeratorContext<Nothing> context, Nothing checkpoint) {
    return new Enumerator();
  }

  @Override
  public SimpleVersionedSerializer<Nothing> getSplitSerializer() {
    return new Empty();
  }

  @Override
  public SimpleVersionedSerializer<Nothing> getEnumeratorCheckpointSerializer() {
    return new Empty();
  }

  /** Never has a record; its availability never completes, so the task only waits on its mail. */
  private static final class Reader implements SourceReader<Envelope, Nothing> {
    private final CompletableFuture<Void> never = new CompletableFuture<>();

    @Override
    public void start() {}

    @Override
    public InputStatus pollNext(ReaderOutput<Envelope> output) {
      return InputStatus.NOTHING_AVAILABLE;
    }

    @Override
    public List<Nothing> snapshotState(long checkpointId) {
      return List.of();
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
      return never;
    }

    @Override
    public void addSplits(List<Nothing> splits) {}

    @Override
    public void notifyNoMoreSplits() {}

    @Override
    public void close() {}
  }

  /** Assigns nothing and never says there are no more splits, which would end the reader. */
  private static final class Enumerator implements SplitEnumerator<Nothing, Nothing> {
    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {}

    @Override
    public void addSplitsBack(List<Nothing> splits, int subtaskId) {}

    @Override
    public void addReader(int subtaskId) {}

    @Override
    public Nothing snapshotState(long checkpointId) {
      return Nothing.INSTANCE;
    }

    @Override
    public void close() {}
  }

  /** Writes no bytes. */
  private static final class Empty implements SimpleVersionedSerializer<Nothing> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Nothing ignored) {
      return new byte[0];
    }

    @Override
    public Nothing deserialize(int version, byte[] serialized) {
      return Nothing.INSTANCE;
    }
  }
}
