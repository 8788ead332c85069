package io.keyflow.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillingQueueTest {
  @TempDir Path spillDir;

  private static FeedbackRecord message(int i) {
    return new FeedbackRecord.Message(
        Envelope.newBuilder()
            .setTarget(Address.newBuilder().setNamespace("ns").setType("t").setId("id-" + i))
            .setPayload(
                TypedValue.newBuilder()
                    .setTypename("t/x")
                    .setHasValue(true)
                    .setValue(ByteString.copyFrom(new byte[100])))
            .build());
  }

  private SpillingQueue<FeedbackRecord> queue(long budget) {
    return new SpillingQueue<>(FeedbackRecord.CODEC, budget, spillDir.toFile(), "test");
  }

  private static String id(FeedbackRecord record) {
    return ((FeedbackRecord.Message) record).envelope().getTarget().getId();
  }

  @Test
  void recordsBeyondTheBudgetSpillAndComeBackInOrder() {
    SpillingQueue<FeedbackRecord> queue = queue(2_000);
    for (int i = 0; i < 1_000; i++) {
      queue.add(message(i));
    }
    queue.add(new FeedbackRecord.Sentinel(7));

    assertThat(queue.spilledTotal()).isGreaterThan(900);
    assertThat(spillDir.toFile().listFiles()).hasSize(1);
    for (int i = 0; i < 1_000; i++) {
      assertThat(id(queue.poll())).isEqualTo("id-" + i);
    }
    assertThat(queue.poll()).isEqualTo(new FeedbackRecord.Sentinel(7));
    assertThat(queue.poll()).isNull();
    assertThat(queue.isEmpty()).isTrue();
    assertThat(spillDir.toFile().listFiles()).as("spill file deleted once read").isEmpty();
  }

  @Test
  void addingWhileReadingBackKeepsFifoOrder() {
    SpillingQueue<FeedbackRecord> queue = queue(500);
    List<String> out = new ArrayList<>();
    int next = 0;
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 7; i++) {
        queue.add(message(next++));
      }
      for (int i = 0; i < 5; i++) {
        out.add(id(queue.poll()));
      }
    }
    FeedbackRecord r;
    while ((r = queue.poll()) != null) {
      out.add(id(r));
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < next; i++) {
      expected.add("id-" + i);
    }
    assertThat(out).isEqualTo(expected);
  }

  @Test
  void oneThreadAddsWhileAnotherPolls() throws Exception {
    SpillingQueue<FeedbackRecord> queue = queue(5_000);
    int total = 20_000;
    CountDownLatch done = new CountDownLatch(1);
    Thread producer =
        new Thread(
            () -> {
              for (int i = 0; i < total; i++) {
                queue.add(message(i));
              }
              done.countDown();
            });
    producer.start();
    int expected = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (expected < total && System.nanoTime() < deadline) {
      FeedbackRecord r = queue.poll();
      if (r != null) {
        assertThat(id(r)).isEqualTo("id-" + expected);
        expected++;
      }
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(expected).isEqualTo(total);
  }

  @Test
  void closeDeletesTheSpillFile() {
    SpillingQueue<FeedbackRecord> queue = queue(100);
    for (int i = 0; i < 100; i++) {
      queue.add(message(i));
    }
    assertThat(Objects.requireNonNull(spillDir.toFile().listFiles())).hasSize(1);
    queue.close();
    assertThat(spillDir.toFile().listFiles()).isEmpty();
    File[] none = spillDir.toFile().listFiles();
    assertThat(none).isEmpty();
  }
}
