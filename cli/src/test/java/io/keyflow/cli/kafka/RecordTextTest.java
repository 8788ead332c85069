package io.keyflow.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.protocol.types.LongWrapper;
import io.keyflow.protocol.types.StringWrapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordTextTest {
  @Test
  void utf8TextIsShownAsIs() {
    assertThat(RecordText.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isEqualTo("{\"a\":1}");
  }

  @Test
  void statefunPrimitivesAreDecoded() {
    byte[] string =
        TypedValue.newBuilder()
            .setTypename("io.statefun.types/string")
            .setHasValue(true)
            .setValue(StringWrapper.newBuilder().setValue("hello").build().toByteString())
            .build()
            .toByteArray();
    byte[] number =
        TypedValue.newBuilder()
            .setTypename("io.statefun.types/long")
            .setHasValue(true)
            .setValue(LongWrapper.newBuilder().setValue(42).build().toByteString())
            .build()
            .toByteArray();

    assertThat(RecordText.of(string)).isEqualTo("hello");
    assertThat(RecordText.of(number)).isEqualTo("42");
  }

  @Test
  void kafkaProducerRecordsShowTheirValue() {
    byte[] record =
        KafkaProducerRecord.newBuilder()
            .setTopic("orders")
            .setKey("k")
            .setValueBytes(ByteString.copyFromUtf8("confirmed"))
            .build()
            .toByteArray();

    assertThat(RecordText.of(record)).isEqualTo("(to orders) confirmed");
  }

  @Test
  void otherBytesAreShownInHex() {
    assertThat(RecordText.of(new byte[] {(byte) 0xff, 0x00, 0x01})).isEqualTo("0xff0001");
    assertThat(RecordText.of(null)).isEqualTo("(null)");
  }

  @Test
  void deadLettersShowTheirAddressErrorAndMessages() {
    byte[] letter =
        io.keyflow.protocol.deadletter.DeadLetter.newBuilder()
            .setAddress(
                io.keyflow.protocol.reqreply.Address.newBuilder()
                    .setNamespace("shop")
                    .setType("cart")
                    .setId("alice"))
            .addMessages(
                io.keyflow.protocol.reqreply.ToFunction.Invocation.newBuilder()
                    .setArgument(
                        TypedValue.newBuilder()
                            .setTypename("shop.types/CartCommand")
                            .setHasValue(true)
                            .setValue(ByteString.copyFromUtf8("{\"action\":\"add\"}"))))
            .setError("HTTP 500")
            .setAttempts(3)
            .build()
            .toByteArray();

    assertThat(RecordText.of(letter))
        .isEqualTo(
            "dead letter for shop/cart/alice after 3 attempt(s): HTTP 500; messages:"
                + " [shop.types/CartCommand {\"action\":\"add\"}]");
  }

  @Test
  void deadLettersSayHowManyMessagesWereLeftOut() {
    byte[] letter =
        io.keyflow.protocol.deadletter.DeadLetter.newBuilder()
            .setAddress(
                io.keyflow.protocol.reqreply.Address.newBuilder()
                    .setNamespace("shop")
                    .setType("cart")
                    .setId("alice"))
            .setError("HTTP 500")
            .setAttempts(3)
            .setDroppedMessages(2)
            .setDroppedBytes(2_000_000)
            .build()
            .toByteArray();

    assertThat(RecordText.of(letter))
        .isEqualTo(
            "dead letter for shop/cart/alice after 3 attempt(s): HTTP 500; messages: (2 more left"
                + " out, 2000000 bytes: too large for one record; they are in the job's log)");
  }
}
