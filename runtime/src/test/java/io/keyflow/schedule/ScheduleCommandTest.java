package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.internal.ScheduleDefinition;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.protocol.schedule.SetSchedule;
import org.junit.jupiter.api.Test;

class ScheduleCommandTest {

  private static TypedValue message(String typename, String body) {
    return TypedValue.newBuilder()
        .setTypename(typename)
        .setHasValue(true)
        .setValue(ByteString.copyFromUtf8(body))
        .build();
  }

  @Test
  void aSetMessageCarriesTheSpecAndTheAddressIdIsTheScheduleId() {
    ScheduleCommand command =
        ScheduleCommand.read(
            "remind-alice",
            message(
                "keyflow/schedule.set", "{\"target\": \"shop/cart/alice\", \"every\": \"1h\"}"));

    assertThat(command).isInstanceOf(ScheduleCommand.Set.class);
    ScheduleSpec spec = ((ScheduleCommand.Set) command).spec();
    assertThat(spec.id()).isEqualTo("remind-alice");
    assertThat(spec.definition().getEveryMillis()).isEqualTo(3_600_000);
  }

  @Test
  void aDeleteMessageDeletesWhateverItsBody() {
    assertThat(ScheduleCommand.read("x", message("keyflow/schedule.delete", "anything")))
        .isInstanceOf(ScheduleCommand.Delete.class);
  }

  @Test
  void aSetWithAMisspeltFieldIsRejectedNamingTheFieldAndTheHint() {
    ScheduleCommand command =
        ScheduleCommand.read(
            "x", message("keyflow/schedule.set", "{\"target\": \"s/f/1\", \"evry\": \"1h\"}"));

    assertThat(command).isInstanceOf(ScheduleCommand.Rejected.class);
    assertThat(((ScheduleCommand.Rejected) command).reason())
        .contains("keyflow/schedules/x", "spec.evry", "did you mean 'every'?");
  }

  @Test
  void aSetWhoseBodyIsNotJsonIsRejected() {
    ScheduleCommand command = ScheduleCommand.read("x", message("keyflow/schedule.set", "{oops"));

    assertThat(command).isInstanceOf(ScheduleCommand.Rejected.class);
    assertThat(((ScheduleCommand.Rejected) command).reason()).contains("keyflow/schedules/x");
  }

  @Test
  void anotherTypenameIsRejectedNamingTheAcceptedOnes() {
    ScheduleCommand command = ScheduleCommand.read("x", message("io.statefun.types/string", "hi"));

    assertThat(((ScheduleCommand.Rejected) command).reason())
        .contains("io.statefun.types/string", "keyflow/schedule.set", "keyflow/schedule.delete");
  }

  private static TypedValue protobuf(ByteString body) {
    return TypedValue.newBuilder()
        .setTypename("type.googleapis.com/keyflow.schedule.SetSchedule")
        .setHasValue(true)
        .setValue(body)
        .build();
  }

  @Test
  void theProtobufTypenameIsProtobufsConventionForTheMessage() {
    assertThat(ProtobufScheduleSpec.TYPE)
        .isEqualTo("type.googleapis.com/" + SetSchedule.getDescriptor().getFullName());
  }

  @Test
  void aProtobufSetMeansWhatTheSameJsonSpecMeans() {
    SetSchedule proto =
        SetSchedule.newBuilder()
            .setTargets(
                SetSchedule.Targets.newBuilder().setType("shop/customer").addIds("a").addIds("b"))
            .setMessage(
                SetSchedule.Payload.newBuilder()
                    .setType("shop.types/Renew")
                    .setBase64(ByteString.copyFrom(new byte[] {0, 1, 2})))
            .setCron("0 0 9 1 * ?")
            .setTimeZone("Europe/Berlin")
            .setStart("2026-01-01T00:00:00Z")
            .setEnd("2027-01-01T00:00:00Z")
            .setJitter("30s")
            .setCatchUp(SetSchedule.CatchUp.newBuilder().setPolicy("all").setGrace("1s").setMax(7))
            .build();
    String json =
        """
        {"targets": {"type": "shop/customer", "ids": ["a", "b"]},
         "message": {"type": "shop.types/Renew", "base64": "AAEC"},
         "cron": "0 0 9 1 * ?", "timeZone": "Europe/Berlin",
         "start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z", "jitter": "30s",
         "catchUp": {"policy": "all", "grace": "1s", "max": 7}}
        """;

    ScheduleCommand fromProtobuf = ScheduleCommand.read("r", protobuf(proto.toByteString()));
    ScheduleCommand fromJson = ScheduleCommand.read("r", message("keyflow/schedule.set", json));

    assertThat(fromProtobuf).isInstanceOf(ScheduleCommand.Set.class).isEqualTo(fromJson);
    ScheduleDefinition d = ((ScheduleCommand.Set) fromProtobuf).spec().definition();
    assertThat(d.getTargetIdsList()).containsExactly("a", "b");
    assertThat(d.getMessageValue().toByteArray()).containsExactly(0, 1, 2);
    assertThat(d.getCatchUp()).isEqualTo(ScheduleDefinition.CatchUpPolicy.ALL);
    assertThat(d.getCatchUpMax()).isEqualTo(7);
  }

  @Test
  void aProtobufSetWithAnEmptyTextMessageKeepsTheEmptyText() {
    SetSchedule proto =
        SetSchedule.newBuilder()
            .setTarget("s/f/1")
            .setEvery("1h")
            .setMessage(SetSchedule.Payload.newBuilder().setType("t.types/Tick").setText(""))
            .build();

    ScheduleCommand command = ScheduleCommand.read("r", protobuf(proto.toByteString()));

    assertThat(command).isInstanceOf(ScheduleCommand.Set.class);
    assertThat(((ScheduleCommand.Set) command).spec().definition().getMessageFormat())
        .isEqualTo(ScheduleDefinition.MessageFormat.TEXT);
  }

  @Test
  void anInvalidProtobufSetIsRejectedNamingTheFieldByItsSpecKey() {
    SetSchedule proto =
        SetSchedule.newBuilder().setTarget("s/f/1").setEvery("1h").setTimeZone("UTC").build();

    ScheduleCommand command = ScheduleCommand.read("x", protobuf(proto.toByteString()));

    assertThat(command).isInstanceOf(ScheduleCommand.Rejected.class);
    assertThat(((ScheduleCommand.Rejected) command).reason())
        .contains(
            "keyflow/schedules/x",
            "type.googleapis.com/keyflow.schedule.SetSchedule",
            "spec.timeZone",
            "applies to cron only");
  }

  @Test
  void aProtobufBodyThatIsNotASetScheduleIsRejected() {
    ScheduleCommand command =
        ScheduleCommand.read("x", protobuf(ByteString.copyFrom(new byte[] {0x0A, 0x7F, 0x01})));

    assertThat(command).isInstanceOf(ScheduleCommand.Rejected.class);
    assertThat(((ScheduleCommand.Rejected) command).reason())
        .contains("not a protobuf keyflow.schedule.SetSchedule");
  }

  @Test
  void aProtobufSetWithAFieldThisRuntimeDoesNotKnowIsRejected() {
    ByteString newer =
        SetSchedule.newBuilder()
            .setTarget("s/f/1")
            .setEvery("1h")
            .build()
            .toByteString()
            .concat(ByteString.copyFrom(new byte[] {(byte) 0xA0, 0x06, 0x01})); // field 100 = 1

    ScheduleCommand command = ScheduleCommand.read("x", protobuf(newer));

    assertThat(command).isInstanceOf(ScheduleCommand.Rejected.class);
    assertThat(((ScheduleCommand.Rejected) command).reason()).contains("[100]");
  }
}
