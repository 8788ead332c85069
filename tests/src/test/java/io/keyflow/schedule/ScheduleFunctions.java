package io.keyflow.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyflow.protocol.schedule.SetSchedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.statefun.sdk.java.Context;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.TypeName;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.io.KafkaEgressMessage;
import org.apache.flink.statefun.sdk.java.message.Message;
import org.apache.flink.statefun.sdk.java.message.MessageBuilder;
import org.apache.flink.statefun.sdk.java.types.SimpleType;
import org.apache.flink.statefun.sdk.java.types.Type;

/**
 * Functions written with the unmodified StateFun Java SDK that take schedule fires, as a user
 * writes them. Each writes what it saw to a Kafka topic through an exactly-once egress, one record
 * per fire: {@code <address id> <fire time millis> <missed> <received at millis>}.
 */
final class ScheduleFunctions {
  static final TypeName FIRE = TypeName.typeNameFromString("keyflow/schedule.fire");
  static final TypeName SCHEDULES = TypeName.typeNameOf("keyflow", "schedules");
  static final Type<String> SET =
      SimpleType.simpleImmutableTypeFrom(
          TypeName.typeNameFromString("keyflow/schedule.set"),
          s -> s.getBytes(StandardCharsets.UTF_8),
          b -> new String(b, StandardCharsets.UTF_8));
  static final Type<String> DELETE =
      SimpleType.simpleImmutableTypeFrom(
          TypeName.typeNameFromString("keyflow/schedule.delete"),
          s -> s.getBytes(StandardCharsets.UTF_8),
          b -> new String(b, StandardCharsets.UTF_8));

  /** The protobuf form of a set command, as a function builds it with protobuf-java. */
  static final Type<SetSchedule> SET_PROTOBUF =
      SimpleType.simpleImmutableTypeFrom(
          TypeName.typeNameFromString("type.googleapis.com/keyflow.schedule.SetSchedule"),
          SetSchedule::toByteArray,
          SetSchedule::parseFrom);

  private static final ObjectMapper JSON = new ObjectMapper();

  private ScheduleFunctions() {}

  /** Records every fire it receives. */
  static StatefulFunctionSpec recorder(TypeName type, TypeName egress, String topic) {
    return StatefulFunctionSpec.builder(type)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  if (message.valueTypeName().equals(FIRE)) {
                    record(context, egress, topic, fire(message), "fire");
                  }
                  return context.done();
                })
        .build();
  }

  /**
   * Creates its own reminder schedule (id {@code reminder-<id>}, every {@code every}) when told
   * {@code start} (or sends a misspelt one when told {@code start-misspelt}; told {@code
   * start-protobuf} it sends the command as a protobuf {@code SetSchedule}, and an invalid one,
   * with no timing, when told {@code start-protobuf-invalid}), records each reminder, and deletes
   * the schedule after the third, recording {@code deleted}.
   */
  static StatefulFunctionSpec reminder(TypeName type, TypeName egress, String topic, String every) {
    ValueSpec<Integer> seen = ValueSpec.named("seen").withIntType();
    return StatefulFunctionSpec.builder(type)
        .withValueSpec(seen)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  String schedule = "reminder-" + context.self().id();
                  if (message.isUtf8String()
                      && message.asUtf8String().startsWith("start-protobuf")) {
                    // The same command as a protobuf SetSchedule; "-invalid" leaves out every.
                    SetSchedule.Builder spec =
                        SetSchedule.newBuilder()
                            .setTarget(type.asTypeNameString() + "/" + context.self().id())
                            .setMessage(
                                SetSchedule.Payload.newBuilder()
                                    .setType("test.types/Remind")
                                    .setText("come back"));
                    if (message.asUtf8String().equals("start-protobuf")) {
                      spec.setEvery(every);
                    }
                    context.send(
                        MessageBuilder.forAddress(SCHEDULES, schedule)
                            .withCustomType(SET_PROTOBUF, spec.build())
                            .build());
                  } else if (message.isUtf8String() && message.asUtf8String().startsWith("start")) {
                    // "start-misspelt" sends a command Keyflow must skip: "evry" for "every".
                    String spec =
                        """
                        {"target": "%s/%s", "%s": "%s",
                         "message": {"type": "test.types/Remind", "text": "come back"}}
                        """
                            .formatted(
                                type.asTypeNameString(),
                                context.self().id(),
                                message.asUtf8String().equals("start") ? "every" : "evry",
                                every);
                    context.send(
                        MessageBuilder.forAddress(SCHEDULES, schedule)
                            .withCustomType(SET, spec)
                            .build());
                  } else if (message.valueTypeName().equals(FIRE)) {
                    JsonNode fire = fire(message);
                    if (!fire.path("message").path("text").asText().equals("come back")) {
                      throw new IllegalStateException("unexpected reminder " + fire);
                    }
                    int count = context.storage().get(seen).orElse(0) + 1;
                    context.storage().set(seen, count);
                    record(context, egress, topic, fire, "fire");
                    if (count == 3) {
                      context.send(
                          MessageBuilder.forAddress(SCHEDULES, schedule)
                              .withCustomType(DELETE, "")
                              .build());
                      record(context, egress, topic, fire, "deleted");
                    }
                  }
                  return context.done();
                })
        .build();
  }

  /**
   * Told {@code plan <start>}, creates schedule {@code renewal-<id>} at itself, daily from {@code
   * <start>} (ISO-8601).
   */
  static StatefulFunctionSpec planner(TypeName type) {
    return StatefulFunctionSpec.builder(type)
        .withSupplier(
            () ->
                (Context context, Message message) -> {
                  String start = message.asUtf8String().split(" ")[1];
                  String spec =
                      """
                      {"target": "%s/%s", "every": "1d", "start": "%s"}
                      """
                          .formatted(type.asTypeNameString(), context.self().id(), start);
                  context.send(
                      MessageBuilder.forAddress(SCHEDULES, "renewal-" + context.self().id())
                          .withCustomType(SET, spec)
                          .build());
                  return context.done();
                })
        .build();
  }

  private static JsonNode fire(Message message) {
    try {
      return JSON.readTree(message.rawValue().toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void record(
      Context context, TypeName egress, String topic, JsonNode fire, String what) {
    String value =
        String.join(
            " ",
            what,
            context.self().id(),
            fire.get("fireTimeMillis").asText(),
            fire.get("missed").asText(),
            Long.toString(System.currentTimeMillis()),
            fire.get("schedule").asText());
    context.send(
        KafkaEgressMessage.forEgress(egress)
            .withTopic(topic)
            .withUtf8Key(fire.get("schedule").asText())
            .withUtf8Value(value)
            .build());
  }
}
