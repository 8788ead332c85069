package io.keyflow.io.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplyStoreTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final ReplyStore store = new ReplyStore(3, 10_000, now::get);

  private void put(String id, String text) {
    store.put(id, "t/text", text.getBytes(StandardCharsets.UTF_8), now.get());
  }

  private String text(ReplyStore.Reply reply) {
    return new String(reply.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aWaitingCallGetsItsReplyAndStopsCountingAsWaiting() throws Exception {
    CompletableFuture<ReplyStore.Reply> waiting = store.await("a");
    assertThat(store.waiting()).isEqualTo(1);

    put("a", "hello");

    assertThat(text(waiting.get())).isEqualTo("hello");
    assertThat(store.waiting()).isZero();
    assertThat(text(store.await("a").get())).isEqualTo("hello");
  }

  @Test
  void theFirstReplyWins() {
    put("a", "first");
    put("a", "second");

    assertThat(text(store.get("a"))).isEqualTo("first");
  }

  @Test
  void aForgottenWaiterIsNotCompletedAndNotCounted() {
    CompletableFuture<ReplyStore.Reply> gaveUp = store.await("a");
    CompletableFuture<ReplyStore.Reply> still = store.await("a");
    store.forget("a", gaveUp);

    put("a", "late");

    assertThat(gaveUp).isNotDone();
    assertThat(still).isCompleted();
    assertThat(store.waiting()).isZero();
  }

  @Test
  void keepsTheNewestRepliesWithinTheLimitAndTheTtl() {
    put("a", "1");
    put("b", "2");
    put("c", "3");
    put("d", "4");
    assertThat(store.get("a")).isNull();
    assertThat(store.kept()).isEqualTo(3);

    now.addAndGet(10_001);
    assertThat(store.get("d")).isNull();
    assertThat(store.kept()).isZero();
  }

  @Test
  void aReplyIsKeptPerSlotAndAnswersOnlyTheInvocationItWasFor() throws Exception {
    CompletableFuture<ReplyStore.Reply> other = store.await("kslot.other");
    store.put("kslot.first", "t/text", new byte[0], now.get());

    assertThat(other.get().answers("kslot.other")).isFalse();
    assertThat(store.get("kslot.other").answers("kslot.first")).isTrue();
    assertThat(store.get("kslot.first").answers("kslot.first")).isTrue();
  }

  @Test
  void aReplyWrittenLongAgoExpiresByItsWriteTime() {
    store.put("old", "t/text", new byte[0], now.get() - 20_000);

    assertThat(store.get("old")).isNull();
  }
}
