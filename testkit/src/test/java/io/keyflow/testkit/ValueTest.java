package io.keyflow.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.testkit.unit.KafkaRecord;
import org.apache.flink.statefun.sdk.java.types.Types;
import org.junit.jupiter.api.Test;

class ValueTest {
  @Test
  void aValueReadsBackWithItsTypeAndComparesByContent() {
    Value value = Value.of(Types.integerType(), 7);

    assertThat(value.as(Types.integerType())).isEqualTo(7);
    assertThat(value).isEqualTo(Value.of(Types.integerType(), 7));
    assertThat(value.typename()).isEqualTo("io.statefun.types/int");
  }

  @Test
  void readingWithAnotherTypeNamesBothTypes() {
    assertThatThrownBy(() -> Value.ofUtf8("shop.types/CartCommand", "{}").as(Types.integerType()))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "expected a value of type io.statefun.types/int but found shop.types/CartCommand '{}'");
  }

  @Test
  void undecodableBytesAreNamed() {
    Value broken = Value.ofBytes("io.statefun.types/int", new byte[] {(byte) 0xff, 0x01});

    assertThatThrownBy(() -> broken.as(Types.integerType()))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "the bytes of io.statefun.types/int 0xff01 (2 bytes) are no valid io.statefun.types/int");
  }

  @Test
  void textIsShownQuotedAndBinaryInHex() {
    assertThat(Printable.bytes("hi".getBytes())).isEqualTo("'hi'");
    assertThat(Printable.bytes(new byte[] {0, 1})).isEqualTo("0x0001 (2 bytes)");
    assertThat(Printable.bytes(null)).isEqualTo("null");
    assertThat(Printable.bytes("x".repeat(400).getBytes())).endsWith("...' (400 bytes)");
  }

  @Test
  void aKafkaValueThatIsNoValidTypeIsNamed() {
    KafkaRecord record = new KafkaRecord("t", "k", new byte[] {(byte) 0xff, 0x01});

    assertThatThrownBy(() -> record.valueAs(Types.integerType()))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "the value of topic t, key 'k': 0xff01 (2 bytes) is no valid io.statefun.types/int");
  }
}
