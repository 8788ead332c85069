package io.keyflow.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.FromFunction.DelayedInvocation;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.TypedValue;
import org.junit.jupiter.api.Test;

class DelayLedgerTest {
  private static final Address ORDER = address("shop", "checkout", "o-1");
  private static final TypedValue TIMEOUT =
      TypedValue.newBuilder()
          .setTypename("shop.types/ApprovalTimeout")
          .setHasValue(true)
          .setValue(ByteString.copyFromUtf8("{\"order\":\"o-1\"}"))
          .build();

  private final DelayLedger ledger = new DelayLedger();

  @Test
  void aScheduledMessageIsPendingUntilItsTargetReceivesIt() throws Exception {
    ledger.scheduled(ORDER, delayed("t-1"));
    assertThat(ledger.pendingCount()).isEqualTo(1);

    ledger.delivered(request(ORDER, ORDER, TIMEOUT));

    assertThat(ledger.pendingCount()).isZero();
    assertThatCode(() -> ledger.awaitNonePending(10)).doesNotThrowAnyException();
  }

  @Test
  void aCancelledMessageIsNoLongerPendingAndASecondScheduleCountsOnce() {
    ledger.scheduled(ORDER, delayed("t-1"));
    ledger.scheduled(ORDER, delayed("t-1"));
    assertThat(ledger.pendingCount()).isEqualTo(1);

    ledger.scheduled(
        ORDER,
        DelayedInvocation.newBuilder()
            .setIsCancellationRequest(true)
            .setCancellationToken("t-1")
            .build());

    assertThat(ledger.pendingCount()).isZero();
  }

  @Test
  void aMessageFromAnotherSenderIsNotTheDelayedOne() {
    ledger.scheduled(ORDER, delayed(""));

    ledger.delivered(request(address("shop", "cart", "alice"), ORDER, TIMEOUT));

    assertThat(ledger.pendingCount()).isEqualTo(1);
  }

  @Test
  void waitingPastTheTimeoutListsWhatIsStillPending() {
    ledger.scheduled(ORDER, delayed("t-1"));

    assertThatThrownBy(() -> ledger.awaitNonePending(50))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "Delayed messages still not delivered after 50 ms:\n"
                + "  from shop/checkout/o-1 to shop/checkout/o-1 (token 't-1'):"
                + " shop.types/ApprovalTimeout '{\"order\":\"o-1\"}'");
  }

  private static DelayedInvocation delayed(String token) {
    return DelayedInvocation.newBuilder()
        .setDelayInMs(120_000)
        .setTarget(ORDER)
        .setArgument(TIMEOUT)
        .setCancellationToken(token)
        .build();
  }

  private static ToFunction.InvocationBatchRequest request(
      Address caller, Address target, TypedValue argument) {
    return ToFunction.InvocationBatchRequest.newBuilder()
        .setTarget(target)
        .addInvocations(ToFunction.Invocation.newBuilder().setCaller(caller).setArgument(argument))
        .build();
  }

  private static Address address(String namespace, String type, String id) {
    return Address.newBuilder().setNamespace(namespace).setType(type).setId(id).build();
  }
}
