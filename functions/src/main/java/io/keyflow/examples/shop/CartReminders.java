package io.keyflow.examples.shop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyflow.examples.shop.Events.CartReminder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.apache.flink.statefun.sdk.java.types.SimpleType;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * Abandoned-cart reminders on Keyflow's schedules, with nothing but the StateFun SDK: while a cart
 * holds items, a schedule {@code cart-reminder-<user>} fires at the cart every {@code after} since
 * its last change, three times at most; a change starts it over, checkout or an empty cart deletes
 * it. Each fire the cart turns into a reminder on the topic {@code cart-reminders}.
 */
final class CartReminders {
  static final int MAX_REMINDERS = 3;

  private static final TypeName SCHEDULES = TypeName.typeNameOf("keyflow", "schedules");
  private static final TypeName FIRE = TypeName.typeNameFromString("keyflow/schedule.fire");
  private static final Type<String> SET = jsonType("keyflow/schedule.set");
  private static final Type<String> DELETE = jsonType("keyflow/schedule.delete");

  private final Duration after;

  CartReminders(Duration after) {
    this.after = after;
  }

  /** Whether {@code message} is a fire of a schedule. */
  static boolean isReminder(Message message) {
    return message.valueTypeName().equals(FIRE);
  }

  /** (Re)starts the reminders of {@code user}'s cart from now. */
  void start(Context context, String user) {
    Instant first = Instant.now().plus(after);
    ObjectNode spec =
        Json.MAPPER
            .createObjectNode()
            .put("target", CartFn.TYPE.asTypeNameString() + "/" + user)
            .put("every", after.toMillis() + "ms")
            .put("start", first.toString())
            .put("end", first.plus(after.multipliedBy(MAX_REMINDERS - 1)).toString());
    // A job that was down remembers a cart once, not once per missed reminder.
    spec.putObject("catchUp").put("policy", "once");
    context.send(
        MessageBuilder.forAddress(SCHEDULES, id(user))
            .withCustomType(SET, spec.toString())
            .build());
  }

  /** Stops the reminders of {@code user}'s cart. */
  void stop(Context context, String user) {
    context.send(MessageBuilder.forAddress(SCHEDULES, id(user)).withCustomType(DELETE, "").build());
  }

  /** Writes a reminder for a cart that still holds {@code items}. */
  static void remind(Context context, String user, Map<String, Integer> items, Message fire) {
    if (items.isEmpty()) {
      return;
    }
    String fireTime = String.valueOf(fire(fire).get("fireTime"));
    ShopOutput.write(
        context, ShopOutput.CART_REMINDERS, user, new CartReminder(user, items, fireTime));
  }

  private static Map<?, ?> fire(Message message) {
    return Json.decode(message.rawValue().toByteArray(), Map.class);
  }

  private static String id(String user) {
    return "cart-reminder-" + user;
  }

  private static Type<String> jsonType(String typename) {
    return SimpleType.simpleImmutableTypeFrom(
        TypeName.typeNameFromString(typename),
        s -> s.getBytes(StandardCharsets.UTF_8),
        b -> new String(b, StandardCharsets.UTF_8));
  }
}
