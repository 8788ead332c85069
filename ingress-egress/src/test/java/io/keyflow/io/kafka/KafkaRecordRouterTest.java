package io.keyflow.io.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.deadletter.DeadLetter;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.TypedValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Routing under the {@code fail} policy, which needs no metrics: the error is the answer. */
class KafkaRecordRouterTest {
  private final KafkaRecordRouter router =
      new KafkaRecordRouter(
          TypeName.parse("shop/in"),
          List.of(
              new TopicRoute("orders", "shop.types/Order", List.of(TypeName.parse("shop/order"))),
              TopicRoute.deadLetters("redrive")),
          InvalidRecordPolicy.FAIL,
          new DeadLetters.Config("kafka:9092", "dlq", Map.of()));

  private List<Envelope> route(String topic, byte[] key, byte[] value) throws IOException {
    List<Envelope> out = new ArrayList<>();
    router.deserialize(
        new ConsumerRecord<>(topic, 0, 7, key, value),
        new Collector<>() {
          @Override
          public void collect(Envelope record) {
            out.add(record);
          }

          @Override
          public void close() {}
        });
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRecordGoesToEveryTargetWithTheKeyAsId() throws IOException {
    List<Envelope> out = route("orders", utf8("o-1"), utf8("{}"));

    assertThat(out).hasSize(1);
    assertThat(out.get(0).getTarget().getId()).isEqualTo("o-1");
    assertThat(out.get(0).getPayload().getTypename()).isEqualTo("shop.types/Order");
  }

  @Test
  void aTopicWithoutRouteNamesTheRecord() {
    assertThatThrownBy(() -> route("elsewhere", utf8("k"), utf8("v")))
        .hasMessageContaining("elsewhere/0 offset 7")
        .hasMessageContaining("its topic has no route");
  }

  @Test
  void aDeadLetterGoesBackToItsAddressWithItsCaller() throws IOException {
    Address cart = Address.newBuilder().setNamespace("shop").setType("cart").setId("alice").build();
    Address caller =
        Address.newBuilder().setNamespace("shop").setType("checkout").setId("o-1").build();
    TypedValue argument =
        TypedValue.newBuilder().setTypename("shop.types/Add").setHasValue(true).build();
    byte[] letter =
        DeadLetter.newBuilder()
            .setAddress(cart)
            .addMessages(ToFunction.Invocation.newBuilder().setArgument(argument))
            .addMessages(ToFunction.Invocation.newBuilder().setArgument(argument).setCaller(caller))
            .build()
            .toByteArray();

    List<Envelope> out = route("redrive", utf8("shop/cart/alice"), letter);

    assertThat(out).hasSize(2).allSatisfy(e -> assertThat(e.getTarget()).isEqualTo(cart));
    assertThat(out.get(0).hasCaller()).isFalse();
    assertThat(out.get(1).getCaller()).isEqualTo(caller);
  }

  @Test
  void somethingElseOnADeadLettersTopicIsAnInvalidRecord() {
    assertThatThrownBy(() -> route("redrive", utf8("k"), new byte[] {(byte) 0xff, 1, 2}))
        .hasMessageContaining("redrive/0 offset 7")
        .hasMessageContaining("not a Keyflow dead letter");
  }
}
