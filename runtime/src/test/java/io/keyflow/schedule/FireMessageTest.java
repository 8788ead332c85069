package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.internal.Envelope;
import io.keyflow.protocol.internal.ScheduleDefinition;
import io.keyflow.protocol.internal.ScheduleDefinition.MessageFormat;
import io.keyflow.protocol.reqreply.Address;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FireMessageTest {
  private static final Address CART =
      Address.newBuilder().setNamespace("shop").setType("cart").setId("alice").build();

  @Test
  void aFireCarriesTheScheduleItsTimeAndItsJsonMessageFromTheScheduleAddress() {
    ScheduleDefinition definition =
        ScheduleDefinition.newBuilder()
            .setMessageFormat(MessageFormat.JSON)
            .setMessageType("shop.types/Remind")
            .setMessageValue(ByteString.copyFromUtf8("{\"user\":\"alice\"}"))
            .build();
    long fireTime = Instant.parse("2026-12-03T02:00:00Z").toEpochMilli();

    Envelope fire = FireMessage.envelope("remind-alice", definition, fireTime, 2, CART);

    assertThat(fire.getTarget()).isEqualTo(CART);
    assertThat(fire.getCaller().getNamespace()).isEqualTo("keyflow");
    assertThat(fire.getCaller().getType()).isEqualTo("schedules");
    assertThat(fire.getCaller().getId()).isEqualTo("remind-alice");
    assertThat(fire.getPayload().getTypename()).isEqualTo("keyflow/schedule.fire");
    assertThat(fire.getPayload().getValue().toStringUtf8())
        .isEqualTo(
            "{\"schedule\":\"remind-alice\",\"fireTime\":\"2026-12-03T02:00:00Z\","
                + "\"fireTimeMillis\":"
                + fireTime
                + ",\"missed\":2,"
                + "\"message\":{\"type\":\"shop.types/Remind\",\"json\":{\"user\":\"alice\"}}}");
  }

  @Test
  void textAndBinaryMessagesKeepTheirShapeAndNoMessageLeavesTheFieldOut() {
    ScheduleDefinition text =
        ScheduleDefinition.newBuilder()
            .setMessageFormat(MessageFormat.TEXT)
            .setMessageType("s/t")
            .setMessageValue(ByteString.copyFromUtf8("hi"))
            .build();
    ScheduleDefinition binary =
        ScheduleDefinition.newBuilder()
            .setMessageFormat(MessageFormat.BASE64)
            .setMessageType("s/b")
            .setMessageValue(ByteString.copyFrom(new byte[] {0, 1, 2}))
            .build();

    assertThat(FireMessage.value("x", text, 0, 0).getValue().toStringUtf8())
        .endsWith("\"message\":{\"type\":\"s/t\",\"text\":\"hi\"}}");
    assertThat(FireMessage.value("x", binary, 0, 0).getValue().toStringUtf8())
        .endsWith("\"message\":{\"type\":\"s/b\",\"base64\":\"AAEC\"}}");
    assertThat(
            FireMessage.value("x", ScheduleDefinition.getDefaultInstance(), 0, 0)
                .getValue()
                .toStringUtf8())
        .doesNotContain("message");
  }
}
