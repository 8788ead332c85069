package io.keyflow.examples.shop;

import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;

/** Writes the shop's events as JSON to the Kafka egress {@code shop/out}. */
final class ShopOutput {
  static final TypeName EGRESS = TypeName.typeNameOf("shop", "out");
  static final String CART_VIEWS = "cart-views";
  static final String ORDERS = "orders";
  static final String STOCK = "stock";

  private ShopOutput() {}

  static void write(Context context, String topic, String key, Object event) {
    context.send(
        KafkaEgressMessage.forEgress(EGRESS)
            .withTopic(topic)
            .withUtf8Key(key)
            .withValue(Json.encode(event))
            .build());
  }
}
