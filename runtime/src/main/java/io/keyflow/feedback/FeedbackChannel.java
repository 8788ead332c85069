package io.keyflow.feedback;

import java.io.File;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.util.function.ThrowingRunnable;

/**
 * The in-JVM channel from a feedback tail to the head of the same subtask. The tail adds on its own
 * thread; the head drains on its task thread, woken through its mailbox. Never blocks the tail:
 * what does not fit the memory budget spills to disk, so the loop cannot deadlock on a full
 * channel.
 */
final class FeedbackChannel implements AutoCloseable {
  private final SpillingQueue<FeedbackRecord> queue;
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private volatile MailboxExecutor consumerMailbox;
  private volatile ThrowingRunnable<? extends Exception> consumer;

  FeedbackChannel(long memoryBudget, File spillDirectory, String name) {
    this.queue = new SpillingQueue<>(FeedbackRecord.CODEC, memoryBudget, spillDirectory, name);
  }

  /** Called by the tail. */
  void add(FeedbackRecord record) {
    queue.add(record);
    wakeConsumer();
  }

  /** Called by the head when it opens: {@code drain} runs on its mailbox whenever records wait. */
  void registerConsumer(MailboxExecutor mailbox, ThrowingRunnable<? extends Exception> drain) {
    this.consumerMailbox = mailbox;
    this.consumer = drain;
    wakeConsumer();
  }

  /** Called by the head's drain before it polls, so that later additions wake it again. */
  void drainStarted() {
    drainScheduled.set(false);
  }

  FeedbackRecord poll() {
    return queue.poll();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  long spilledTotal() {
    return queue.spilledTotal();
  }

  long spilledBytes() {
    return queue.spilledBytes();
  }

  long size() {
    return queue.size();
  }

  void wakeConsumer() {
    MailboxExecutor mailbox = consumerMailbox;
    if (mailbox == null || queue.isEmpty() || !drainScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      mailbox.execute(consumer, "keyflow feedback drain");
    } catch (RejectedExecutionException e) {
      // The head is shutting down; what is in the channel is replayed from its checkpoint.
      drainScheduled.set(false);
    }
  }

  @Override
  public void close() {
    queue.close();
  }
}
