package io.keyflow.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyflow.protocol.types.IntWrapper;
import io.keyflow.protocol.types.LongWrapper;
import io.keyflow.protocol.types.StringWrapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValueTextTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static ObjectNode written(String typename, byte[] bytes) {
    ObjectNode node = MAPPER.createObjectNode();
    ValueText.write(node, typename, bytes);
    return node;
  }

  @Test
  void primitiveTypesReadAsTextAndWriteBackToTheSameBytes() {
    byte[] count = IntWrapper.newBuilder().setValue(-7).build().toByteArray();
    byte[] total = LongWrapper.newBuilder().setValue(1L << 40).build().toByteArray();
    byte[] name = StringWrapper.newBuilder().setValue("zoë").build().toByteArray();

    assertThat(written("io.statefun.types/int", count).toString())
        .isEqualTo("{\"typename\":\"io.statefun.types/int\",\"value\":-7}");
    assertThat(written("io.statefun.types/long", total).get("value").longValue())
        .isEqualTo(1L << 40);
    assertThat(written("io.statefun.types/string", name).get("value").textValue()).isEqualTo("zoë");
    for (var c :
        new Object[][] {
          {"io.statefun.types/int", count},
          {"io.statefun.types/long", total},
          {"io.statefun.types/string", name},
          {"io.statefun.types/int", new byte[0]}
        }) {
      byte[] bytes = (byte[]) c[1];
      assertThat(ValueText.read(written((String) c[0], bytes), "v")).isEqualTo(bytes);
    }
  }

  @Test
  void compactJsonReadsAsJsonAndOtherTextAsText() {
    byte[] json = "{\"items\":{\"apple\":2},\"total\":300}".getBytes(StandardCharsets.UTF_8);
    byte[] spaced = "{ \"a\": 1 }".getBytes(StandardCharsets.UTF_8);

    assertThat(written("shop.types/Order", json).get("json").get("total").intValue())
        .isEqualTo(300);
    assertThat(written("shop.types/Order", spaced).get("text").textValue())
        .isEqualTo("{ \"a\": 1 }");
    assertThat(ValueText.read(written("shop.types/Order", json), "v")).isEqualTo(json);
    assertThat(ValueText.read(written("shop.types/Order", spaced), "v")).isEqualTo(spaced);
  }

  @Test
  void bytesThatAreNotTextReadAsBase64() {
    byte[] binary = {0, 1, (byte) 0xff, 7};
    ObjectNode node = written("my.types/Blob", binary);

    assertThat(node.get("base64").textValue()).isEqualTo("AAH/Bw==");
    assertThat(ValueText.read(node, "v")).isEqualTo(binary);
  }

  @Test
  void aPrimitiveWithAValueOfTheWrongKindIsRefusedNamingTheField() throws Exception {
    var node = MAPPER.readTree("{\"typename\":\"io.statefun.types/int\",\"value\":\"three\"}");

    assertThatThrownBy(() -> ValueText.read(node, "values.count"))
        .hasMessage("values.count.value: must be a number");
  }
}
