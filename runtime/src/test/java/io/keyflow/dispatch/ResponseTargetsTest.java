package io.keyflow.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyflow.io.Replies;
import io.keyflow.module.Module;
import io.keyflow.module.ModuleLoader;
import io.keyflow.module.TypeName;
import io.keyflow.protocol.ProtobufTypeInfo;
import io.keyflow.protocol.gateway.GatewayReply;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.TypedValue;
import java.util.Map;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

class ResponseTargetsTest {
  private static final Module MODULE =
      ModuleLoader.parse(
          "module.yaml",
          """
          kind: io.statefun.endpoints.v2/http
          spec:
            functions: shop/*
            urlPathTemplate: http://localhost:8000/{function.name}
          """);
  private static final OutputTag<TypedValue> REPLIES =
      new OutputTag<>("egress-keyflow/reply", ProtobufTypeInfo.TYPED_VALUE);
  private static final AddressKey SENDER = new AddressKey(new TypeName("shop", "cart"), "alice");
  private static final Address GATEWAY_CALLER = Replies.caller("inv-1");
  private static final TypedValue VALUE =
      TypedValue.newBuilder().setTypename("shop.types/CartView").setHasValue(true).build();

  private static ResponseTargets targets(Map<TypeName, OutputTag<TypedValue>> egresses) {
    return new ResponseTargets(
        new FunctionRegistry(
            MODULE, null, (type, endpoint) -> new FunctionTypeMetrics(), LearnedValueSpecs.none()),
        egresses);
  }

  @Test
  void aMessageToAGatewayCallerGoesToTheReplyEgressWhenTheModuleHasAGateway() throws Exception {
    ResponseTargets targets = targets(Map.of(Replies.EGRESS, REPLIES));

    assertThat(targets.replyOrNull(GATEWAY_CALLER)).isSameAs(REPLIES);
    assertThat(targets.replyOrNull(SENDER.toAddress())).isNull();
    GatewayReply reply =
        GatewayReply.parseFrom(
            Replies.record(SENDER.toAddress(), GATEWAY_CALLER, VALUE).getValue());
    assertThat(reply.getInvocationId()).isEqualTo("inv-1");
    assertThat(reply.getValue()).isEqualTo(VALUE);
    assertThat(reply.getFrom()).isEqualTo(SENDER.toAddress());
  }

  @Test
  void aReplyWithoutAGatewayOrDelayedIsRefusedWithTheReason() {
    assertThat(targets(Map.of()).replyOrNull(GATEWAY_CALLER)).isNull();
    assertThatThrownBy(
            () -> targets(Map.of()).message(SENDER, GATEWAY_CALLER, VALUE, "a message", null))
        .isInstanceOf(DispatchException.class)
        .hasMessageContaining("declares no gateway");
    assertThatThrownBy(
            () ->
                targets(Map.of(Replies.EGRESS, REPLIES))
                    .message(SENDER, GATEWAY_CALLER, VALUE, "a delayed message", null))
        .hasMessageContaining("cannot be delayed");
  }
}
