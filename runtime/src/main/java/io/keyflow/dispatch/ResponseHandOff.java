package io.keyflow.dispatch;

import io.keyflow.protocol.reqreply.FromFunction;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.operators.MailboxExecutor;

/**
 * Hands responses from the HTTP client's thread to the task thread. One mailbox letter carries
 * every response that arrived since the last letter was opened, so under load the task thread wakes
 * once for many responses and the client's thread posts few letters.
 */
final class ResponseHandOff {

  /** What the task thread does with each response, in arrival order. */
  interface Handler {
    void onResponse(Pending p, FromFunction response, Throwable error) throws Exception;
  }

  private record Arrived(Pending pending, FromFunction response, Throwable error) {}

  private final MailboxExecutor mailbox;
  private final Handler handler;
  private final ConcurrentLinkedQueue<Arrived> arrived = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean letterPosted = new AtomicBoolean();

  ResponseHandOff(MailboxExecutor mailbox, Handler handler) {
    this.mailbox = mailbox;
    this.handler = handler;
  }

  /** Called on any thread when a request completes, with its response or its error. */
  void arrive(Pending p, FromFunction response, Throwable error) {
    arrived.add(new Arrived(p, response, error));
    if (letterPosted.compareAndSet(false, true)) {
      try {
        mailbox.execute(this::drain, "keyflow responses");
      } catch (RejectedExecutionException e) {
        // The task is shutting down; its requests are re-sent from the last checkpoint.
      }
    }
  }

  private void drain() throws Exception {
    // Cleared before taking: a response arriving from here on posts a letter of its own.
    letterPosted.set(false);
    Arrived next;
    while ((next = arrived.poll()) != null) {
      handler.onResponse(next.pending(), next.response(), next.error());
    }
  }
}
