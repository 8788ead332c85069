package io.keyflow.examples.shop;

import io.keyflow.functions.Reply;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;

/**
 * Writes the shop's events as JSON to the Kafka egress {@code shop/out}; a command that came
 * through the HTTP gateway gets the same event as its reply.
 */
final class ShopOutput {
  static final TypeName EGRESS = TypeName.typeNameOf("shop", "out");
  static final String CART_VIEWS = "cart-views";
  static final String ORDERS = "orders";
  static final String STOCK = "stock";
  static final String CART_REMINDERS = "cart-reminders";

  private ShopOutput() {}

  static <T> void write(Context context, String topic, String key, T event) {
    context.send(
        KafkaEgressMessage.forEgress(EGRESS)
            .withTopic(topic)
            .withUtf8Key(key)
            .withValue(Json.encode(event))
            .build());
    reply(context, event);
  }

  /** Answers a gateway call with {@code event}, typed {@code shop.types/<event's record name>}. */
  @SuppressWarnings("unchecked")
  static <T> void reply(Context context, T event) {
    if (Reply.caller(context).isEmpty()) {
      return;
    }
    Class<T> type = (Class<T>) event.getClass();
    Reply.to(context, Json.type(type.getSimpleName(), type), event);
  }
}
