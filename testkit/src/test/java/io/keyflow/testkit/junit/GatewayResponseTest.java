package io.keyflow.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.testkit.Value;
import java.util.Optional;
import org.apache.flink.statefun.sdk.java.types.Types;
import org.junit.jupiter.api.Test;

class GatewayResponseTest {
  @Test
  void aReplyIsReadWithItsType() {
    GatewayResponse ok =
        new GatewayResponse(200, Optional.of(Value.of(Types.integerType(), 3)), "");

    assertThat(ok.replyAs(Types.integerType())).isEqualTo(3);
  }

  @Test
  void anAnswerWithoutReplyFailsShowingTheStatusAndBody() {
    GatewayResponse accepted =
        new GatewayResponse(202, Optional.empty(), "{\"invocationId\":\"abc\"}");

    assertThatThrownBy(() -> accepted.replyAs(Types.integerType()))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "Expected the gateway to answer 200 with a reply, but got HTTP 202:"
                + " {\"invocationId\":\"abc\"}");
  }
}
