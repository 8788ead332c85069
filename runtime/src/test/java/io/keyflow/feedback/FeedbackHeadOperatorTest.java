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
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StateSnapshotContextSynchronousImpl;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The feedback head on Flink's keyed operator harness: what it logs of the loop at a checkpoint,
 * with a memory budget small enough to spill, and how a restore at another parallelism hands each
 * logged message to the subtask that now owns its target.
 *
 * <p>The checkpoint is driven by hand, as the task's asynchronous snapshot thread would: the head's
 * synchronous part opens the log, the sentinel closes it, and only then is the raw keyed state
 * stream closed into a handle.
 */
@Timeout(60)
class FeedbackHeadOperatorTest {
  private static final int MAX_PARALLELISM = 128;
  private static final long TINY_BUDGET = 512;
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope>> harnesses =
      new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (var harness : harnesses) {
      harness.close();
    }
  }

  @Test
  void messagesInsideTheLoopAtACheckpointSpillAndReachTheirNewOwnersAfterARescale()
      throws Exception {
    var head = harness(1, 0, null);
    FeedbackChannel channel = channelOf(head);
    File spill = head.getEnvironment().getIOManager().getSpillingDirectories()[0];
    StateSnapshotContextSynchronousImpl checkpoint =
        new StateSnapshotContextSynchronousImpl(
            1,
            1,
            new MemCheckpointStreamFactory(16 * 1024 * 1024),
            KeyGroupRange.of(0, MAX_PARALLELISM - 1),
            new CloseableRegistry());
    head.getOperator().snapshotState(checkpoint);

    Set<String> inTheLoop = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      channel.add(new FeedbackRecord.Message(envelope("id-" + i, "before-" + i)));
      inTheLoop.add("before-" + i);
    }
    pumpUntil(head, () -> head.extractOutputValues().size() == 200);
    assertThat(logFiles(spill)).as("the log spilled past its budget").isNotEmpty();

    channel.add(new FeedbackRecord.Sentinel(1));
    for (int i = 0; i < 3; i++) {
      channel.add(new FeedbackRecord.Message(envelope("id-" + i, "after-" + i)));
    }
    pumpUntil(head, () -> head.extractOutputValues().size() == 203);
    assertThat(logFiles(spill)).as("spill files removed once written").isEmpty();
    RunnableFuture<SnapshotResult<KeyedStateHandle>> raw = checkpoint.getKeyedStateStreamFuture();
    raw.run();
    OperatorSubtaskState state =
        OperatorSubtaskState.builder()
            .setRawKeyedState(raw.get().getJobManagerOwnedSnapshot())
            .build();

    Set<String> restored = new HashSet<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      var next =
          harness(
              2,
              subtask,
              AbstractStreamOperatorTestHarness.repartitionOperatorState(
                  state, MAX_PARALLELISM, 1, 2, subtask));
      pumpUntil(next, () -> true);
      for (Envelope envelope : next.extractOutputValues()) {
        assertThat(owner(envelope.getTarget().getId(), 2))
            .as("owner of %s", envelope.getTarget().getId())
            .isEqualTo(subtask);
        assertThat(restored.add(envelope.getPayload().getValue().toStringUtf8()))
            .as("restored once")
            .isTrue();
      }
    }
    assertThat(restored).isEqualTo(inTheLoop);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness(
      int parallelism, int subtask, OperatorSubtaskState restoreFrom) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope>(
            FeedbackOperatorFactory.head(TINY_BUDGET),
            envelope -> envelope.getTarget().getId(),
            Types.STRING,
            MAX_PARALLELISM,
            parallelism,
            subtask);
    // Custom raw keyed state needs timers in RocksDB, as in the job.
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harnesses.add(harness);
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    return harness;
  }

  private static FeedbackChannel channelOf(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness) {
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
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, Envelope> harness,
      BooleanSupplier done)
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
