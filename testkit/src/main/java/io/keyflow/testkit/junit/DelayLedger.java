package io.keyflow.testkit.junit;

import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.FromFunction.DelayedInvocation;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.testkit.Printable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The delayed messages the functions scheduled and that have not reached their target yet, as the
 * kit sees them pass between the job and the functions. After a restore the job may repeat a
 * request, so the same message can be scheduled twice; it counts as one, delivered once it arrives.
 */
final class DelayLedger {
  /** A scheduled message: who sent it, to whom, what, and its cancellation token. */
  private record Pending(Address sender, Address target, TypedValue argument, String token) {
    boolean deliveredBy(Address caller, Address to, TypedValue value) {
      return sender.equals(caller) && target.equals(to) && argument.equals(value);
    }

    @Override
    public String toString() {
      return "from "
          + show(sender)
          + " to "
          + show(target)
          + (token.isEmpty() ? "" : " (token '" + token + "')")
          + ": "
          + argument.getTypename()
          + " "
          + Printable.bytes(argument.getValue().toByteArray());
    }
  }

  private final List<Pending> pending = new ArrayList<>();

  /** A function at {@code sender} scheduled or cancelled a delayed message. */
  synchronized void scheduled(Address sender, DelayedInvocation delayed) {
    String token = delayed.getCancellationToken();
    if (!token.isEmpty()) {
      // Tokens are scoped to the sender's id: a new message with a pending token replaces it.
      pending.removeIf(p -> p.token.equals(token) && p.sender.getId().equals(sender.getId()));
    }
    if (delayed.getIsCancellationRequest()) {
      return;
    }
    Pending p = new Pending(sender, delayed.getTarget(), delayed.getArgument(), token);
    if (!pending.contains(p)) {
      pending.add(p);
    }
    notifyAll();
  }

  /** A request reached a function: the delayed messages in it have arrived. */
  synchronized void delivered(ToFunction.InvocationBatchRequest request) {
    for (ToFunction.Invocation invocation : request.getInvocationsList()) {
      if (!invocation.hasCaller()) {
        continue;
      }
      Iterator<Pending> it = pending.iterator();
      while (it.hasNext()) {
        if (it.next()
            .deliveredBy(invocation.getCaller(), request.getTarget(), invocation.getArgument())) {
          it.remove();
          notifyAll();
          break;
        }
      }
    }
  }

  /**
   * Waits until every pending message has arrived.
   *
   * @throws AssertionError listing the messages still pending after {@code timeoutMillis}
   */
  synchronized void awaitNonePending(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (!pending.isEmpty()) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        StringBuilder out =
            new StringBuilder("Delayed messages still not delivered after ")
                .append(timeoutMillis)
                .append(" ms:");
        pending.forEach(p -> out.append("\n  ").append(p));
        throw new AssertionError(out.toString());
      }
      wait(left);
    }
  }

  synchronized int pendingCount() {
    return pending.size();
  }

  private static String show(Address a) {
    return a.getNamespace() + "/" + a.getType() + "/" + a.getId();
  }
}
