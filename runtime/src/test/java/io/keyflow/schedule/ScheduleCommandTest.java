package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.keyflow.protocol.reqreply.TypedValue;
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
}
