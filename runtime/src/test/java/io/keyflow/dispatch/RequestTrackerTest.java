package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestTrackerTest {
  private static final TypeName CART = TypeName.parse("shop/cart");
  private static final AddressKey ALICE = new AddressKey(CART, "alice");
  private static final AddressKey BOB = new AddressKey(CART, "bob");

  private static Invocation invocation(String text) {
    return Invocation.newBuilder()
        .setArgument(
            TypedValue.newBuilder()
                .setTypename("t/x")
                .setHasValue(true)
                .setValue(com.google.protobuf.ByteString.copyFromUtf8(text)))
        .build();
  }

  @Test
  void idleAddressStartsRequestAndBusyAddressRejectsSecondStart() {
    RequestTracker tracker = new RequestTracker(0);
    Pending p = tracker.start(ALICE, List.of(invocation("a")));

    assertThat(tracker.get(ALICE)).isSameAs(p);
    assertThatThrownBy(() -> tracker.start(ALICE, List.of(invocation("b"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("shop/cart/alice");
  }

  @Test
  void batchAccumulatesWhileRequestInFlightAndGoesOutAsOneRequest() {
    RequestTracker tracker = new RequestTracker(0);
    Pending first = tracker.start(ALICE, List.of(invocation("a")));
    tracker.backlogged(first);
    tracker.backlogged(first);

    assertThat(tracker.completed(first)).isTrue();
    Pending next = tracker.next(first, List.of(invocation("b"), invocation("c")));

    assertThat(next.invocations).hasSize(2);
    assertThat(next.backlog).isZero();
    assertThat(tracker.get(ALICE)).isSameAs(next);
    assertThat(tracker.completed(next)).isFalse();
    assertThat(tracker.isEmpty()).isTrue();
  }

  @Test
  void aLongBacklogOfOneAddressNeverPausesInput() {
    RequestTracker tracker = new RequestTracker(2);
    Pending p = tracker.start(ALICE, List.of(invocation("a")));
    for (int i = 0; i < 100_000; i++) {
      tracker.backlogged(p);
    }

    assertThat(tracker.mustWait()).isFalse();
  }

  @Test
  void theNextBatchLeavesTheRestOfTheBacklogWaitingWithItsQueuePosition() {
    RequestTracker tracker = new RequestTracker(0);
    Pending first = tracker.start(ALICE, List.of(invocation("a")));
    for (int i = 0; i < 5; i++) {
      tracker.backlogged(first);
    }
    first.batchesFirst = 3;
    first.batchesEnd = 5;

    Pending next = tracker.next(first, List.of(invocation("b"), invocation("c")));

    assertThat(next.backlog).isEqualTo(3);
    assertThat(next.batchesFirst).isEqualTo(3);
    assertThat(next.batchesEnd).isEqualTo(5);
    assertThat(tracker.completed(next)).isTrue();
  }

  @Test
  void inputWaitsWhenTooManyAddressesAreBusy() {
    RequestTracker tracker = new RequestTracker(2);
    tracker.start(ALICE, List.of(invocation("a")));
    assertThat(tracker.mustWait()).isFalse();
    tracker.start(BOB, List.of(invocation("b")));
    assertThat(tracker.mustWait()).isTrue();
  }

  @Test
  void firstRequestOfATypeProbesWhileOthersWaitForItsAnswer() {
    RequestTracker tracker = new RequestTracker(0);
    Pending alice = tracker.start(ALICE, List.of(invocation("a")));
    Pending bob = tracker.start(BOB, List.of(invocation("b")));

    assertThat(tracker.park(alice)).as("the probe goes out").isFalse();
    assertThat(alice.probe).isTrue();
    assertThat(tracker.park(bob)).as("others wait for the probe").isTrue();
    assertThat(tracker.park(alice)).as("a re-sent probe goes out").isFalse();

    assertThat(tracker.probeAnswered(alice)).containsExactly(bob);
    assertThat(tracker.park(bob)).isFalse();
    assertThat(tracker.probeAnswered(bob)).isEmpty();
  }

  @Test
  void restoredRequestKeepsItsBacklogAndIsKnownPersisted() {
    RequestTracker tracker = new RequestTracker(0);
    Pending p = tracker.restore(ALICE, List.of(invocation("a")), 4, 2, 3);

    assertThat(p.persisted).isTrue();
    assertThat(p.backlog).isEqualTo(4);
    assertThat(p.batchesFirst).isEqualTo(2);
    assertThat(p.batchesEnd).isEqualTo(3);
    assertThat(tracker.completed(p)).isTrue();
  }

  @Test
  void aFailedProbeHandsTheProbeRoleToAParkedRequest() {
    RequestTracker tracker = new RequestTracker(0);
    Pending alice = tracker.start(ALICE, List.of(invocation("a")));
    Pending bob = tracker.start(BOB, List.of(invocation("b")));
    assertThat(tracker.park(alice)).isFalse();
    assertThat(tracker.park(bob)).isTrue();

    assertThat(tracker.probeFailed(alice)).isSameAs(bob);

    assertThat(bob.probe).isTrue();
    assertThat(alice.probe).isFalse();
    assertThat(tracker.park(alice)).as("the failed probe now waits for the new one").isTrue();
    assertThat(tracker.probeAnswered(bob)).containsExactly(alice);
  }

  @Test
  void aFailedProbeWithNobodyParkedLetsTheNextRequestProbe() {
    RequestTracker tracker = new RequestTracker(0);
    Pending alice = tracker.start(ALICE, List.of(invocation("a")));
    assertThat(tracker.park(alice)).isFalse();

    assertThat(tracker.probeFailed(alice)).isNull();

    assertThat(tracker.park(alice)).as("the re-sent request probes again").isFalse();
    assertThat(alice.probe).isTrue();
  }
}
