package io.keyflow.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YamlNodeTest {

  private static final String KIND = "io.statefun.kafka.v1/ingress";

  private static YamlNode spec(String yaml) {
    return YamlNode.parseSpec("module.yaml", KIND, yaml);
  }

  @Test
  void readsStringsIntsBooleansAndDurations() {
    YamlNode spec =
        spec(
            """
            address: kafka:9092
            batch: 42
            big: 9000000000
            exactly: true
            timeout: 30s
            """);

    assertThat(spec.requireString("address")).isEqualTo("kafka:9092");
    assertThat(spec.optionalInt("batch", 7)).isEqualTo(42);
    assertThat(spec.requireInt("batch")).isEqualTo(42);
    assertThat(spec.optionalLong("big", 0)).isEqualTo(9_000_000_000L);
    assertThat(spec.optionalBoolean("exactly", false)).isTrue();
    assertThat(spec.requireDuration("timeout")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void absentOrEmptyValuesGiveTheDefault() {
    YamlNode spec = spec("empty:\n");

    assertThat(spec.optionalString("empty")).isEmpty();
    assertThat(spec.optionalString("absent")).isEmpty();
    assertThat(spec.optionalInt("empty", 7)).isEqualTo(7);
    assertThat(spec.optionalBoolean("absent", true)).isTrue();
    assertThat(spec.optionalDuration("absent", Duration.ofSeconds(3)))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(spec.optionalDuration("absent")).isEmpty();
    assertThat(spec.optionalObject("absent")).isEmpty();
    assertThat(spec.optionalList("absent")).isEmpty();
    assertThat(spec.optionalProperties("absent")).isEmpty();
    assertThat(spec.has("empty")).isFalse();
    assertThat(spec.keys()).containsExactly("empty");
  }

  @Test
  void numbersAreAcceptedAsStringsInTheirWrittenForm() {
    YamlNode spec = spec("consumerGroupId: 123\nleading: 0123\nfloat: 1e3\nflag: true\n");

    assertThat(spec.requireString("consumerGroupId")).isEqualTo("123");
    assertThat(spec.requireString("leading")).isEqualTo("0123");
    assertThat(spec.requireString("float")).isEqualTo("1e3");
    assertThat(spec.requireString("flag")).isEqualTo("true");
  }

  @Test
  void quotedNumbersAreAcceptedAsNumbers() {
    assertThat(spec("n: '500'").optionalInt("n", 0)).isEqualTo(500);
  }

  @ParameterizedTest
  @CsvSource({
    "500, PT0.5S",
    "500ms, PT0.5S",
    "30s, PT30S",
    "30 sec, PT30S",
    "2 min, PT2M",
    "2MIN, PT2M",
    "1 m, PT1M",
    "3 hours, PT3H",
    "1d, PT24H",
    "7 us, PT0.000007S",
    "9ns, PT0.000000009S"
  })
  void durationsUseFlinkSyntax(String text, String expected) {
    assertThat(spec("t: " + text).requireDuration("t")).isEqualTo(Duration.parse(expected));
  }

  @Test
  void badDurationNamesFieldValueAndAcceptedForm() {
    YamlNode transport = spec("transport:\n  call: 2 parsecs\n").requireObject("transport");

    assertThatThrownBy(() -> transport.requireDuration("call"))
        .isInstanceOf(ModuleException.class)
        .hasMessage(
            "module.yaml, document 1 (io.statefun.kafka.v1/ingress), spec.transport.call: bad"
                + " duration '2 parsecs'; expected a duration such as 30s, 500ms, 2 min");
  }

  @Test
  void negativeDurationIsRejected() {
    assertThatThrownBy(() -> spec("t: -5s").requireDuration("t"))
        .hasMessageContaining("spec.t: bad duration '-5s'");
  }

  @Test
  void missingRequiredFieldNamesIt() {
    assertThatThrownBy(() -> spec("other: 1").requireString("topic"))
        .isInstanceOf(ModuleException.class)
        .hasMessage(
            "module.yaml, document 1 (io.statefun.kafka.v1/ingress), spec.topic: missing;"
                + " expected a string");
  }

  @Test
  void wrongTypesNameFieldValueAndExpectedType() {
    YamlNode spec = spec("topic: [a, b]\nsize: lots\nflag: maybe\nobj: x\nlist: {a: 1}\n");

    assertThatThrownBy(() -> spec.requireString("topic"))
        .hasMessageContaining("spec.topic: got a list; expected a string");
    assertThatThrownBy(() -> spec.optionalInt("size", 1))
        .hasMessageContaining("spec.size: got 'lots'; expected a whole number");
    assertThatThrownBy(() -> spec.optionalBoolean("flag", false))
        .hasMessageContaining("spec.flag: got 'maybe'; expected true or false");
    assertThatThrownBy(() -> spec.requireObject("obj"))
        .hasMessageContaining("spec.obj: got 'x'; expected an object");
    assertThatThrownBy(() -> spec.requireList("list"))
        .hasMessageContaining("spec.list: got an object; expected a list");
  }

  @Test
  void intOutOfRangeIsRejected() {
    assertThatThrownBy(() -> spec("n: 3000000000").optionalInt("n", 0))
        .hasMessageContaining("spec.n: got '3000000000', which is too large");
  }

  @Test
  void listElementsKnowTheirPath() {
    YamlNode spec =
        spec(
            """
            topics:
              - topic: a
                valueType: io.statefun.types/string
              - topic: b
            """);
    List<YamlNode> topics = spec.requireList("topics");

    assertThat(topics).hasSize(2);
    assertThat(topics.get(0).requireTypeName("valueType"))
        .isEqualTo(TypeName.parse("io.statefun.types/string"));
    assertThatThrownBy(() -> topics.get(1).requireTypeName("valueType"))
        .hasMessage(
            "module.yaml, document 1 (io.statefun.kafka.v1/ingress), spec.topics[1].valueType:"
                + " missing; expected a typename, namespace/name such as shop/cart");
  }

  @Test
  void stringListsAndTypenameElements() {
    YamlNode spec = spec("targets: [shop/cart, shop/checkout]\nbad: [shop]\n");

    assertThat(spec.requireStringList("targets")).containsExactly("shop/cart", "shop/checkout");
    assertThat(spec.requireList("targets").get(1).asTypeName())
        .isEqualTo(TypeName.parse("shop/checkout"));
    assertThatThrownBy(() -> spec.requireList("bad").get(0).asTypeName())
        .hasMessageContaining("spec.bad[0]: 'shop' is not a typename");
  }

  @Test
  void propertiesAcceptStateFunListOfSingleEntryMaps() {
    YamlNode spec =
        spec(
            """
            properties:
              - max.poll.records: 500
              - auto.offset.reset: earliest
              - enable.auto.commit: false
            """);

    assertThat(spec.optionalProperties("properties"))
        .containsExactly(
            entry("max.poll.records", "500"),
            entry("auto.offset.reset", "earliest"),
            entry("enable.auto.commit", "false"));
  }

  @Test
  void propertiesAcceptAPlainMap() {
    assertThat(spec("properties: {linger.ms: 05, acks: all}").optionalProperties("properties"))
        .containsExactly(entry("linger.ms", "05"), entry("acks", "all"));
  }

  @Test
  void propertiesRejectMultiEntryElementsAndMissingValues() {
    assertThatThrownBy(() -> spec("p:\n  - {a: 1, b: 2}\n").optionalProperties("p"))
        .hasMessageContaining("spec.p[0]: got an object; expected a single-entry map");
    assertThatThrownBy(() -> spec("p:\n  - a:\n").optionalProperties("p"))
        .hasMessageContaining("spec.p[0].a: property 'a' has no value");
    assertThatThrownBy(() -> spec("p: 3").optionalProperties("p"))
        .hasMessageContaining("spec.p: got '3'; expected a list of single-entry maps");
  }

  @Test
  void unknownKeyIsNamedWithAcceptedKeysAndASpellingHint() {
    YamlNode spec = spec("address: a\ntopcis: [x]\n");

    assertThatThrownBy(() -> spec.allowOnlyKeys("address", "topics", "startupPosition"))
        .isInstanceOf(ModuleException.class)
        .hasMessage(
            "module.yaml, document 1 (io.statefun.kafka.v1/ingress), spec.topcis: unknown key"
                + " 'topcis' (did you mean 'topics'?); expected one of address, topics,"
                + " startupPosition");
  }

  @Test
  void unknownKeyFarFromEveryAcceptedKeyGetsNoHint() {
    assertThatThrownBy(() -> spec("zzzzzz: 1").allowOnlyKeys("address", "topics"))
        .hasMessageContaining("unknown key 'zzzzzz'; expected one of address, topics");
  }

  @Test
  void duplicateKeysAreRejected() {
    YamlNode spec = spec("o:\n  a: 1\n  a: 2\n");

    assertThatThrownBy(() -> spec.requireObject("o"))
        .hasMessageContaining("spec.o.a: key 'a' appears twice");
  }

  @Test
  void binderErrorsUseTheSameShape() {
    YamlNode spec = spec("startupPosition: {type: date}");

    assertThat(spec.requireObject("startupPosition").path()).isEqualTo("spec.startupPosition");
    assertThat(spec.requireObject("startupPosition").error("date", "missing", "a date"))
        .hasMessage(
            "module.yaml, document 1 (io.statefun.kafka.v1/ingress),"
                + " spec.startupPosition.date: missing; expected a date");
    assertThat(spec.error(null, "bad", null))
        .hasMessage("module.yaml, document 1 (io.statefun.kafka.v1/ingress), spec: bad");
  }

  @Test
  void keyedAccessOnANonObjectFails() {
    YamlNode element = spec("l: [x]").requireList("l").get(0);

    assertThat(element.asString()).isEqualTo("x");
    assertThatThrownBy(() -> element.requireString("a"))
        .hasMessageContaining("spec.l[0]: got 'x'; expected an object");
  }
}
