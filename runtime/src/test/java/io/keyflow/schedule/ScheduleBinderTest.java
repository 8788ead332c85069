package io.keyflow.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.module.Module;
import io.keyflow.module.ModuleException;
import io.keyflow.module.ModuleLoader;
import io.keyflow.protocol.internal.ScheduleDefinition;
import io.keyflow.protocol.internal.ScheduleDefinition.CatchUpPolicy;
import io.keyflow.protocol.internal.ScheduleDefinition.MessageFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScheduleBinderTest {

  private static Module parse(String yaml) {
    return ModuleLoader.parse("module.yaml", yaml);
  }

  private static ScheduleDefinition definition(String spec) {
    Module module = parse("kind: io.keyflow.schedule.v1\nspec:\n" + spec.indent(2));
    return ((ScheduleSpec) module.schedules().get(0)).definition();
  }

  private static void assertRejected(String spec, String... messageParts) {
    assertThatThrownBy(() -> parse("kind: io.keyflow.schedule.v1\nspec:\n" + spec.indent(2)))
        .isInstanceOf(ModuleException.class)
        .message()
        .contains(messageParts);
  }

  @Test
  void readsACronScheduleWithEveryField() {
    ScheduleDefinition d =
        definition(
            """
            id: low-stock
            targets:
              type: shop/inventory
              ids: [apple, tv]
            message:
              type: shop.types/StockReport
              json: {threshold: 5, items: [a, b]}
            cron: "0 0 2 * * ?"
            timeZone: Europe/Berlin
            start: 2026-01-01T00:00:00Z
            end: 2027-01-01T00:00:00+01:00
            jitter: 30s
            catchUp:
              policy: all
              grace: 1 min
              max: 7
            """);

    assertThat(d.getTargetNamespace()).isEqualTo("shop");
    assertThat(d.getTargetType()).isEqualTo("inventory");
    assertThat(d.getTargetIdsList()).containsExactly("apple", "tv");
    assertThat(d.getMessageFormat()).isEqualTo(MessageFormat.JSON);
    assertThat(d.getMessageType()).isEqualTo("shop.types/StockReport");
    assertThat(d.getMessageValue().toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"threshold\":5,\"items\":[\"a\",\"b\"]}");
    assertThat(d.getCron()).isEqualTo("0 0 2 * * ?");
    assertThat(d.getTimeZone()).isEqualTo("Europe/Berlin");
    assertThat(d.getStartMillis()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    assertThat(d.getEndMillis()).isEqualTo(Instant.parse("2026-12-31T23:00:00Z").toEpochMilli());
    assertThat(d.getJitterMillis()).isEqualTo(30_000);
    assertThat(d.getCatchUp()).isEqualTo(CatchUpPolicy.ALL);
    assertThat(d.getGraceMillis()).isEqualTo(60_000);
    assertThat(d.getCatchUpMax()).isEqualTo(7);
  }

  @Test
  void anIntervalScheduleToOneAddressTakesTheDefaults() {
    ScheduleDefinition d =
        definition(
            """
            id: tick
            target: shop/cart/alice/with/slashes
            every: 1s
            """);

    assertThat(d.getTargetIdsList()).containsExactly("alice/with/slashes");
    assertThat(d.getEveryMillis()).isEqualTo(1000);
    assertThat(d.getMessageFormat()).isEqualTo(MessageFormat.NONE);
    assertThat(d.getCatchUp()).isEqualTo(CatchUpPolicy.ONCE);
    assertThat(d.getGraceMillis()).isEqualTo(10_000);
    assertThat(d.getCatchUpMax()).isEqualTo(100);
  }

  @Test
  void messagesAreTextJsonTextOrBase64() {
    assertThat(
            definition("id: a\ntarget: s/f/1\nevery: 1s\nmessage: {type: s/t, text: hello}")
                .getMessageValue()
                .toStringUtf8())
        .isEqualTo("hello");
    assertThat(
            definition("id: a\ntarget: s/f/1\nevery: 1s\nmessage: {type: s/t, json: '{\"a\": 1}'}")
                .getMessageValue()
                .toStringUtf8())
        .isEqualTo("{\"a\":1}");
    assertThat(
            definition("id: a\ntarget: s/f/1\nevery: 1s\nmessage: {type: s/t, base64: AAEC}")
                .getMessageValue()
                .toByteArray())
        .containsExactly(0, 1, 2);
  }

  @Test
  void missingTimingNamesBothWays() {
    assertRejected(
        "id: a\ntarget: s/f/1",
        "module.yaml, document 1 (io.keyflow.schedule.v1), spec.cron: missing",
        "either cron",
        "or every");
  }

  @Test
  void cronAndEveryTogetherAreRejected() {
    assertRejected(
        "id: a\ntarget: s/f/1\nevery: 1s\ncron: '* * * * * ?'",
        "spec.every: both cron and every are set");
  }

  @Test
  void aBadCronExpressionNamesItAndShowsTheSyntax() {
    assertRejected(
        "id: a\ntarget: s/f/1\ncron: '0 0 2 * *'",
        "spec.cron: '0 0 2 * *' is not valid",
        "expected a Quartz cron expression with seconds");
  }

  @Test
  void aMisspeltTimeZoneGetsAHint() {
    assertRejected(
        "id: a\ntarget: s/f/1\ncron: '0 0 2 * * ?'\ntimeZone: Europe/Berln",
        "spec.timeZone: unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?)");
  }

  @Test
  void aTimeZoneWithAnIntervalIsRejected() {
    assertRejected(
        "id: a\ntarget: s/f/1\nevery: 1h\ntimeZone: UTC", "spec.timeZone: applies to cron only");
  }

  @Test
  void aMisspeltPolicyGetsAHint() {
    assertRejected(
        "id: a\ntarget: s/f/1\nevery: 1s\ncatchUp: {policy: al}",
        "spec.catchUp.policy: unknown policy 'al' (did you mean 'all'?)",
        "one of skip, once, all");
  }

  @Test
  void aMisspeltKeyGetsAHint() {
    assertRejected(
        "id: a\ntarget: s/f/1\nevry: 1s", "spec.evry: unknown key 'evry' (did you mean 'every'?)");
  }

  @Test
  void aTargetWithoutAnIdIsRejected() {
    assertRejected(
        "id: a\ntarget: shop/cart\nevery: 1s",
        "spec.target: 'shop/cart' is not an address",
        "namespace/type/id");
  }

  @Test
  void targetAndTargetsTogetherAreRejected() {
    assertRejected(
        "id: a\ntarget: s/f/1\ntargets: {type: s/f, ids: [1]}\nevery: 1s",
        "spec.targets: both target and targets are set");
  }

  @Test
  void aMessageWithTwoValuesIsRejected() {
    assertRejected(
        "id: a\ntarget: s/f/1\nevery: 1s\nmessage: {type: s/t, text: a, base64: AA==}",
        "spec.message: has more than one value");
  }

  @Test
  void jsonTextThatIsNotJsonIsRejected() {
    assertRejected(
        "id: a\ntarget: s/f/1\nevery: 1s\nmessage: {type: s/t, json: 'not json'}",
        "spec.message.json: is not JSON");
  }

  @Test
  void aJitterAsLongAsTheIntervalIsRejected() {
    assertRejected(
        "id: a\ntarget: s/f/1\nevery: 10s\njitter: 10s",
        "spec.jitter: got 10s, not less than every");
  }

  @Test
  void anEndBeforeTheStartIsRejected() {
    assertRejected(
        "id: a\ntarget: s/f/1\nevery: 1s\nstart: 2026-02-01T00:00:00Z\nend: 2026-01-01T00:00:00Z",
        "spec.end: is not after start");
  }

  @Test
  void aStartWithoutOffsetIsRejected() {
    assertRejected(
        "id: a\ntarget: s/f/1\nevery: 1s\nstart: 2026-02-01T00:00:00",
        "spec.start: '2026-02-01T00:00:00' is not a time with an offset");
  }

  @Test
  void theSameIdTwiceIsRejected() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    kind: io.keyflow.schedule.v1
                    spec: {id: a, target: s/f/1, every: 1s}
                    ---
                    kind: io.keyflow.schedule.v1
                    spec: {id: a, target: s/f/2, every: 2s}
                    """))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining(
            "document 2 (io.keyflow.schedule.v1), spec.id: duplicate schedule id a")
        .hasMessageContaining("first in document 1");
  }

  @Test
  void aSetCommandIsTheSpecWithoutIdInJson() {
    ScheduleSpec spec =
        ScheduleBinder.readCommand(
            "reminder-alice",
            """
            {"target": "shop/cart/alice", "every": "30 min",
             "message": {"type": "shop.types/Remind", "json": {"user": "alice"}},
             "catchUp": {"policy": "skip"}}
            """);

    assertThat(spec.id()).isEqualTo("reminder-alice");
    assertThat(spec.definition().getEveryMillis()).isEqualTo(1_800_000);
    assertThat(spec.definition().getCatchUp()).isEqualTo(CatchUpPolicy.SKIP);
    assertThat(spec.definition().getMessageValue().toStringUtf8())
        .isEqualTo("{\"user\":\"alice\"}");
  }

  @Test
  void aSetCommandWithAnIdOrABadFieldNamesTheAddressAndField() {
    assertThatThrownBy(
            () -> ScheduleBinder.readCommand("r1", "{\"id\": \"x\", \"target\": \"s/f/1\"}"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("keyflow/schedules/r1, document 1 (keyflow/schedule.set), spec.id")
        .hasMessageContaining("unknown key 'id'");
    assertThatThrownBy(
            () -> ScheduleBinder.readCommand("r1", "{\"target\": \"s/f/1\", \"every\": \"soon\"}"))
        .isInstanceOf(ModuleException.class)
        .hasMessageContaining("spec.every");
  }
}
