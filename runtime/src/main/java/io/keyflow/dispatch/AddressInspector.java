package io.keyflow.dispatch;

import com.google.protobuf.ByteString;
import io.keyflow.delay.DelayedMessages;
import io.keyflow.protocol.control.AddressReport;
import io.keyflow.protocol.control.InFlightRequest;
import io.keyflow.protocol.control.PendingDelay;
import io.keyflow.protocol.control.StoredValue;
import io.keyflow.protocol.control.ToFunctionMessage;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.state.FunctionValues;

/**
 * Reports what a dispatcher subtask holds for one address: its declared values, the request it has
 * outstanding, the messages waiting behind it, the delayed messages it sent and whether it is
 * paused. Reads only: no state is written, no expiry clock restarted, no function called.
 *
 * <p>Runs on the task thread with the address's key current.
 */
final class AddressInspector {
  private final RequestTracker tracker;
  private final RequestStore store;
  private final PausedAddresses paused;
  private final FunctionRegistry functions;
  private final DelayedMessages delayed;

  AddressInspector(
      RequestTracker tracker,
      RequestStore store,
      PausedAddresses paused,
      FunctionRegistry functions,
      DelayedMessages delayed) {
    this.tracker = tracker;
    this.store = store;
    this.paused = paused;
    this.functions = functions;
    this.delayed = delayed;
  }

  AddressReport inspect(AddressKey key, long now, int subtask) throws Exception {
    Address address = key.toAddress();
    FunctionValues values = functions.get(key).values();
    AddressReport.Builder report =
        AddressReport.newBuilder()
            .setAddress(address)
            .setPaused(paused.isPaused(key))
            .setValuesKnown(tracker.valuesKnown(key.function()) || values.known())
            .setValuesFromCheckpoint(values.fromCheckpoint())
            .setAsOfMillis(now)
            .setSubtask(subtask);
    for (FunctionValues.Inspected value : values.inspect()) {
      StoredValue.Builder stored =
          StoredValue.newBuilder()
              .setName(value.name())
              .setTypename(value.typename())
              .setExpireMode(value.expiration().mode().name())
              .setExpireAfterMillis(value.expiration().afterMillis())
              .setWithheld(value.withheld());
      if (value.bytes() != null) {
        stored.setValue(ByteString.copyFrom(value.bytes()));
      }
      report.addValues(stored);
    }
    Pending p = tracker.get(key);
    Invocation oldest;
    if (p != null) {
      report.setBacklog(p.backlog);
      oldest = p.backlog > 0 ? store.oldestWaiting(key, p.batchesFirst, p.batchesEnd) : null;
      InFlightRequest.Builder inFlight =
          InFlightRequest.newBuilder()
              .setMessages(p.invocations.size())
              .setCalls(p.calls)
              .setFailedAttempts(p.failedAttempts)
              .setSinceMillis(p.sinceMillis)
              .setWaiting(p.blocked || p.held);
      if (p.lastError != null) {
        inFlight.setLastError(p.lastError);
      }
      if (!p.invocations.isEmpty()) {
        inFlight.setFirst(message(p.invocations.get(0)));
      }
      report.setInFlight(inFlight);
    } else {
      RequestStore.Waiting waiting = store.waiting(key);
      report.setBacklog(waiting.count());
      oldest =
          waiting.count() > 0
              ? store.oldestWaiting(key, waiting.batchesFirst(), waiting.batchesEnd())
              : null;
    }
    if (oldest != null) {
      report.setOldestWaiting(message(oldest));
    }
    for (DelayedMessages.Pending pending : delayed.pending()) {
      Envelope envelope = pending.message().getEnvelope();
      if (envelope.getCaller().equals(address)) {
        report.addDelayed(
            PendingDelay.newBuilder()
                .setDueAtMillis(pending.fireTime())
                .setCancellationToken(pending.message().getCancellationToken())
                .setTarget(envelope.getTarget())
                .setArgument(envelope.getPayload()));
      }
    }
    return report.build();
  }

  private static ToFunctionMessage message(Invocation invocation) {
    ToFunctionMessage.Builder message =
        ToFunctionMessage.newBuilder().setArgument(invocation.getArgument());
    if (invocation.hasCaller()) {
      message.setCaller(invocation.getCaller());
    }
    return message.build();
  }
}
