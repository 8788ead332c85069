package io.keyflow.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RunnableFuture;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StateSnapshotContextSynchronousImpl;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The feedback head, not keyed, with a keyed host chained after it as the dispatcher is, each on
 * Flink's operator harness: what the head logs of the loop at a checkpoint into the host's raw
 * keyed state, with a memory budget small enough to spill, how a restore at another parallelism
 * hands each logged message to the subtask that now owns its target, and how the log that a keyed
 * head of earlier versions wrote under its own UID still comes back.
 *
 * <p>The checkpoint is driven by hand, as the task does: the host's synchronous part lends its raw
 * keyed state stream, the head's opens the log, the sentinel writes and releases it, and only then
 * does the asynchronous part close the stream into a handle. A head and its host find each other by
 * job, subtask index and attempt, so each pair of harnesses shares a job id.
 */
@Timeout(60)
class FeedbackHeadOperatorTest {
  private static final int MAX_PARALLELISM = 128;
  private static final long TINY_BUDGET = 512;
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** A head and the keyed host chained after it, as one subtask of the functions task. */
  private record Subtask(
      OneInputStreamOperatorTestHarness<Envelope, Envelope> head,
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> host) {}

  @AfterEach
  void close() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void messagesInsideTheLoopGoToTheHostsRawKeyedStateAndReachTheirNewOwnersAfterARescale()
      throws Exception {
    Subtask before = subtask(new JobID(), 1, 0, null, null);
    assertThat(before.head().getOperator().getKeyedStateBackend())
        .as("the head has no keyed state backend")
        .isNull();
    FeedbackChannel channel = channelOf(before.head());
    File spill = before.head().getEnvironment().getIOManager().getSpillingDirectories()[0];
    StateSnapshotContextSynchronousImpl hostCheckpoint = keyedCheckpoint(1);
    before.host().getOperator().snapshotState(hostCheckpoint);
    // A context without key groups: the head would fail asking it for raw keyed state.
    before.head().getOperator().snapshotState(new StateSnapshotContextSynchronousImpl(1, 1));

    Set<String> inTheLoop = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      channel.add(new FeedbackRecord.Message(envelope("id-" + i, "before-" + i)));
      inTheLoop.add("before-" + i);
    }
    pumpUntil(before.head(), () -> before.head().extractOutputValues().size() == 200);
    assertThat(logFiles(spill)).as("the log spilled past its budget").isNotEmpty();

    channel.add(new FeedbackRecord.Sentinel(1));
    for (int i = 0; i < 3; i++) {
      channel.add(new FeedbackRecord.Message(envelope("id-" + i, "after-" + i)));
    }
    pumpUntil(before.head(), () -> before.head().extractOutputValues().size() == 203);
    assertThat(logFiles(spill)).as("spill files removed once written").isEmpty();
    OperatorSubtaskState hostState = rawKeyedState(hostCheckpoint);

    Set<String> restored = new HashSet<>();
    JobID rescaled = new JobID();
    for (int index = 0; index < 2; index++) {
      Subtask next = subtask(rescaled, 2, index, repartition(hostState, index), null);
      pumpUntil(next.head(), () -> true);
      collectOwned(next.head(), index, restored);
    }
    assertThat(restored).isEqualTo(inTheLoop);
  }

  @Test
  void aReaderTakingTheHostsRawKeyedStateForTimersFindsNone() throws Exception {
    Subtask subtask = subtask(new JobID(), 1, 0, null, null);
    FeedbackChannel channel = channelOf(subtask.head());
    StateSnapshotContextSynchronousImpl hostCheckpoint = keyedCheckpoint(2);
    subtask.host().getOperator().snapshotState(hostCheckpoint);
    subtask.head().getOperator().snapshotState(new StateSnapshotContextSynchronousImpl(2, 2));
    channel.add(new FeedbackRecord.Message(envelope("id-1", "inside")));
    channel.add(new FeedbackRecord.Sentinel(2));
    pumpUntil(subtask.head(), () -> subtask.head().extractOutputValues().size() == 1);
    OperatorSubtaskState hostState = rawKeyedState(hostCheckpoint);

    // A keyed operator without custom raw keyed state restores its timers from it, as the State
    // Processor API's readers do; the log must read as no timers, not fail.
    var reader =
        new KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope>(
            new TimerReadingOperator(),
            envelope -> envelope.getTarget().getId(),
            Types.STRING,
            environment(new JobID(), 1, 0));
    toClose.add(reader);
    reader.initializeState(hostState);
    reader.open();
    assertThat(reader.numProcessingTimeTimers()).isZero();
  }

  /** A keyed operator that leaves its raw keyed state to Flink's timers. */
  private static final class TimerReadingOperator
      extends org.apache.flink.streaming.api.operators.AbstractStreamOperator<Envelope>
      implements org.apache.flink.streaming.api.operators.OneInputStreamOperator<
          Envelope, Envelope> {
    @Override
    public void processElement(
        org.apache.flink.streaming.runtime.streamrecord.StreamRecord<Envelope> record) {}
  }

  @Test
  void theLogAKeyedHeadWroteUnderItsOwnUidReachesItsOwnersAfterTheUpgrade() throws Exception {
    // What the keyed head of earlier versions wrote at a checkpoint: its log, in its own raw
    // keyed state.
    StateSnapshotContextSynchronousImpl oldHead = keyedCheckpoint(7);
    Set<String> inTheLoop = new HashSet<>();
    List<Envelope> logged = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      logged.add(envelope("id-" + i, "old-" + i));
      inTheLoop.add("old-" + i);
    }
    EarlierKeyedHeadLog.write(
        oldHead.getRawKeyedOperatorStateOutput(),
        KeyGroupRange.of(0, MAX_PARALLELISM - 1),
        MAX_PARALLELISM,
        logged);
    OperatorSubtaskState headState = rawKeyedState(oldHead);

    Set<String> restored = new HashSet<>();
    JobID upgraded = new JobID();
    for (int index = 0; index < 2; index++) {
      Subtask next = subtask(upgraded, 2, index, null, repartition(headState, index));
      pumpUntil(next.head(), () -> true);
      collectOwned(next.head(), index, restored);
    }
    assertThat(restored).isEqualTo(inTheLoop);
  }

  @Test
  void anAbortedCheckpointReleasesTheStreamTheHostLent() throws Exception {
    Subtask subtask = subtask(new JobID(), 1, 0, null, null);
    StateSnapshotContextSynchronousImpl hostCheckpoint = keyedCheckpoint(3);
    subtask.host().getOperator().snapshotState(hostCheckpoint);
    subtask.head().getOperator().snapshotState(new StateSnapshotContextSynchronousImpl(3, 3));

    subtask.host().getOperator().notifyCheckpointAborted(3);
    subtask.head().getOperator().notifyCheckpointAborted(3);

    // Closing the stream waits for every lease; a lease left held would hang here.
    RunnableFuture<SnapshotResult<KeyedStateHandle>> raw =
        hostCheckpoint.getKeyedStateStreamFuture();
    raw.run();
    assertThat(raw.isDone()).as("the stream closed").isTrue();
  }

  /**
   * Opens a subtask's host, then its head, as Flink opens a chain from its end, restoring each from
   * its state if given.
   */
  private Subtask subtask(
      JobID job,
      int parallelism,
      int index,
      OperatorSubtaskState hostState,
      OperatorSubtaskState headState)
      throws Exception {
    var host =
        new KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope>(
            new LogHostOperator(),
            envelope -> envelope.getTarget().getId(),
            Types.STRING,
            environment(job, parallelism, index));
    var head =
        new OneInputStreamOperatorTestHarness<Envelope, Envelope>(
            FeedbackOperatorFactory.head(TINY_BUDGET), environment(job, parallelism, index));
    toClose.add(head);
    toClose.add(host);
    if (hostState != null) {
      host.initializeState(hostState);
    }
    host.open();
    if (headState != null) {
      head.initializeState(headState);
    }
    head.open();
    return new Subtask(head, host);
  }

  private MockEnvironment environment(JobID job, int parallelism, int index) {
    MockEnvironment environment =
        new MockEnvironmentBuilder()
            .setJobID(job)
            .setMaxParallelism(MAX_PARALLELISM)
            .setParallelism(parallelism)
            .setSubtaskIndex(index)
            .build();
    toClose.add(environment);
    return environment;
  }

  private static StateSnapshotContextSynchronousImpl keyedCheckpoint(long id) {
    return new StateSnapshotContextSynchronousImpl(
        id,
        id,
        new MemCheckpointStreamFactory(16 * 1024 * 1024),
        KeyGroupRange.of(0, MAX_PARALLELISM - 1),
        new CloseableRegistry());
  }

  /** Runs the asynchronous part: closes the raw keyed state stream into a handle. */
  private static OperatorSubtaskState rawKeyedState(StateSnapshotContextSynchronousImpl checkpoint)
      throws Exception {
    RunnableFuture<SnapshotResult<KeyedStateHandle>> raw = checkpoint.getKeyedStateStreamFuture();
    raw.run();
    return OperatorSubtaskState.builder()
        .setRawKeyedState(raw.get().getJobManagerOwnedSnapshot())
        .build();
  }

  private static OperatorSubtaskState repartition(OperatorSubtaskState state, int index)
      throws Exception {
    return AbstractStreamOperatorTestHarness.repartitionOperatorState(
        state, MAX_PARALLELISM, 1, 2, index);
  }

  private static void collectOwned(
      OneInputStreamOperatorTestHarness<Envelope, Envelope> head, int index, Set<String> restored) {
    for (Envelope envelope : head.extractOutputValues()) {
      assertThat(owner(envelope.getTarget().getId(), 2))
          .as("owner of %s", envelope.getTarget().getId())
          .isEqualTo(index);
      assertThat(restored.add(envelope.getPayload().getValue().toStringUtf8()))
          .as("restored once")
          .isTrue();
    }
  }

  private static FeedbackChannel channelOf(
      OneInputStreamOperatorTestHarness<Envelope, Envelope> harness) {
    var info = harness.getOperator().getRuntimeContext();
    return FeedbackChannels.get(
        new ChannelKey(
            info.getJobInfo().getJobId().toString(),
            info.getTaskInfo().getIndexOfThisSubtask(),
            info.getTaskInfo().getAttemptNumber()),
        TINY_BUDGET,
        harness.getEnvironment().getIOManager().getSpillingDirectories()[0]);
  }

  private static List<File> logFiles(File directory) {
    File[] files = directory.listFiles((dir, name) -> name.startsWith("keyflow-feedback-log-"));
    return files == null ? List.of() : List.of(files);
  }

  private static int owner(String id, int parallelism) {
    return KeyGroupRangeAssignment.assignKeyToParallelOperator(id, MAX_PARALLELISM, parallelism);
  }

  private static Envelope envelope(String id, String text) {
    return Envelope.newBuilder()
        .setTarget(Address.newBuilder().setNamespace("t").setType("fn").setId(id))
        .setPayload(
            TypedValue.newBuilder()
                .setTypename("t/text")
                .setHasValue(true)
                .setValue(ByteString.copyFromUtf8(text)))
        .build();
  }

  /** Runs the task thread's mail until {@code done} holds after a round, or the deadline. */
  private static void pumpUntil(
      OneInputStreamOperatorTestHarness<Envelope, Envelope> harness, BooleanSupplier done)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Optional<Mail> mail = harness.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
      mail.ifPresent(
          m -> {
            try {
              m.run();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      if (mail.isEmpty() && done.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + WAIT);
      }
      if (mail.isEmpty()) {
        Thread.sleep(2);
      }
    }
  }
}
