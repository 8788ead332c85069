package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.module.FailurePolicy;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction.Invocation;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private static final TypeName DLQ = TypeName.parse("shop/dead-letters");
  private static final OutputTag<TypedValue> TAG =
      new OutputTag<>("dlq", new ProtobufTypeInfo<>(TypedValue.class));
  private static final FailurePolicy POLICY =
      new FailurePolicy(FailurePolicy.Mode.DEAD_LETTER, 3, DLQ, "shop-dead-letters");
  private static final Address ALICE =
      Address.newBuilder().setNamespace("shop").setType("cart").setId("alice").build();
  private static final int LIMIT = 10_000;

  private final List<TypedValue> written = new ArrayList<>();

  private static Invocation message(int bytes, char fill) {
    return Invocation.newBuilder()
        .setArgument(
            TypedValue.newBuilder()
                .setTypename("shop.types/Blob")
                .setHasValue(true)
                .setValue(ByteString.copyFromUtf8(String.valueOf(fill).repeat(bytes))))
        .build();
  }

  private DeadLetter write(List<Invocation> messages, String error) throws Exception {
    DeadLetters letters =
        new DeadLetters(Map.of(DLQ, TAG), Map.of(DLQ, LIMIT), new SimpleCounter());
    letters.write(ALICE, messages, 3, error, POLICY, "http://f/cart", (tag, r) -> written.add(r));
    assertThat(written).hasSize(1);
    assertThat(written.get(0).getSerializedSize())
        .as("the record fits the egress's limit")
        .isLessThanOrEqualTo(LIMIT - DeadLetters.RECORD_OVERHEAD_BYTES);
    return DeadLetter.parseFrom(
        KafkaProducerRecord.parseFrom(written.get(0).getValue()).getValueBytes());
  }

  @Test
  void aLetterWithinTheLimitIsWrittenWhole() throws Exception {
    DeadLetter letter = write(List.of(message(100, 'a'), message(100, 'b')), "HTTP 500");

    assertThat(letter.getMessagesCount()).isEqualTo(2);
    assertThat(letter.getDroppedMessages()).isZero();
    assertThat(letter.getError()).isEqualTo("HTTP 500");
  }

  @Test
  void aBatchTooLargeForOneRecordKeepsItsFirstMessagesAndSaysHowManyWereLeftOut() throws Exception {
    List<Invocation> batch = new ArrayList<>();
    for (char c = 'a'; c < 'f'; c++) {
      batch.add(message(3_000, c));
    }

    DeadLetter letter = write(batch, "HTTP 500");

    assertThat(letter.getMessagesList()).containsExactlyElementsOf(batch.subList(0, 3));
    assertThat(letter.getDroppedMessages()).isEqualTo(2);
    assertThat(letter.getDroppedBytes()).isEqualTo(6_000);
    assertThat(letter.getAddress()).isEqualTo(ALICE);
    assertThat(letter.getAttempts()).isEqualTo(3);
    assertThat(letter.getError()).isEqualTo("HTTP 500");
    assertThat(letter.getEndpoint()).isEqualTo("http://f/cart");
  }

  @Test
  void oneMessageLargerThanTheLimitLeavesTheMetadataAndTheCount() throws Exception {
    DeadLetter letter = write(List.of(message(50_000, 'x'), message(10, 'y')), "HTTP 500");

    assertThat(letter.getMessagesList()).isEmpty();
    assertThat(letter.getDroppedMessages()).isEqualTo(2);
    assertThat(letter.getDroppedBytes()).isEqualTo(50_010);
    assertThat(letter.getAddress()).isEqualTo(ALICE);
  }

  @Test
  void anErrorTooLongIsCutWhenTheLetterMustShrink() throws Exception {
    DeadLetter letter = write(List.of(message(10, 'a')), "e".repeat(20_000));

    assertThat(letter.getError())
        .hasSizeLessThan(DeadLetters.MAX_ERROR_CHARS + 100)
        .endsWith("(cut; see the log)");
    assertThat(letter.getMessagesCount()).isEqualTo(1);
  }
}
