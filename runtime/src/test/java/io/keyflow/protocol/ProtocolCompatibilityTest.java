package io.keyflow.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import io.keyflow.protocol.egress.KafkaProducerRecord;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.FromFunction.PersistedValueMutation.MutationType;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.TypedValue;
import io.keyflow.protocol.types.BooleanWrapper;
import io.keyflow.protocol.types.DoubleWrapper;
import io.keyflow.protocol.types.FloatWrapper;
import io.keyflow.protocol.types.IntWrapper;
import io.keyflow.protocol.types.LongWrapper;
import io.keyflow.protocol.types.StringWrapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.statefun.sdk.java.StatefulFunctionSpec;
import org.apache.flink.statefun.sdk.java.StatefulFunctions;
import org.apache.flink.statefun.sdk.java.ValueSpec;
import org.apache.flink.statefun.sdk.java.message.EgressMessageBuilder;
import org.apache.flink.statefun.sdk.java.slice.Slices;
import org.apache.flink.statefun.sdk.shaded.com.google.protobuf.Descriptors.Descriptor;
import org.apache.flink.statefun.sdk.shaded.com.google.protobuf.Descriptors.FieldDescriptor;
import org.junit.jupiter.api.Test;

/**
 * Keyflow's protocol classes against the StateFun Java SDK 3.3.0: same schema, same bytes, and the
 * SDK's own request handler understands Keyflow's requests.
 */
class ProtocolCompatibilityTest {

  @Test
  void schemasMatchTheSdkFieldByField() {
    assertSameSchema(
        Address.getDescriptor(),
        org.apache.flink.statefun.sdk.reqreply.generated.Address.getDescriptor());
    assertSameSchema(
        TypedValue.getDescriptor(),
        org.apache.flink.statefun.sdk.reqreply.generated.TypedValue.getDescriptor());
    assertSameSchema(
        ToFunction.getDescriptor(),
        org.apache.flink.statefun.sdk.reqreply.generated.ToFunction.getDescriptor());
    assertSameSchema(
        FromFunction.getDescriptor(),
        org.apache.flink.statefun.sdk.reqreply.generated.FromFunction.getDescriptor());
    assertSameSchema(
        KafkaProducerRecord.getDescriptor(),
        org.apache.flink.statefun.sdk.egress.generated.KafkaProducerRecord.getDescriptor());
    assertSameSchema(
        BooleanWrapper.getDescriptor(),
        org.apache.flink.statefun.sdk.types.generated.BooleanWrapper.getDescriptor());
    assertSameSchema(
        IntWrapper.getDescriptor(),
        org.apache.flink.statefun.sdk.types.generated.IntWrapper.getDescriptor());
    assertSameSchema(
        LongWrapper.getDescriptor(),
        org.apache.flink.statefun.sdk.types.generated.LongWrapper.getDescriptor());
    assertSameSchema(
        FloatWrapper.getDescriptor(),
        org.apache.flink.statefun.sdk.types.generated.FloatWrapper.getDescriptor());
    assertSameSchema(
        DoubleWrapper.getDescriptor(),
        org.apache.flink.statefun.sdk.types.generated.DoubleWrapper.getDescriptor());
    assertSameSchema(
        StringWrapper.getDescriptor(),
        org.apache.flink.statefun.sdk.types.generated.StringWrapper.getDescriptor());
  }

  @Test
  void requestEncodedByKeyflowDecodesInTheSdkAndBackByteForByte() throws Exception {
    ToFunction request =
        ToFunction.newBuilder()
            .setInvocation(
                ToFunction.InvocationBatchRequest.newBuilder()
                    .setTarget(address("shop", "cart", "alice"))
                    .addState(
                        ToFunction.PersistedValue.newBuilder()
                            .setStateName("items")
                            .setStateValue(
                                typed("io.statefun.types/int", new byte[] {13, 1, 0, 0, 0})))
                    .addState(ToFunction.PersistedValue.newBuilder().setStateName("absent"))
                    .addInvocations(
                        ToFunction.Invocation.newBuilder()
                            .setCaller(address("shop", "checkout", "o-1"))
                            .setArgument(typed("shop/Add", "{}".getBytes())))
                    .addInvocations(
                        ToFunction.Invocation.newBuilder()
                            .setArgument(typed("shop/Empty", new byte[0]))))
            .build();

    org.apache.flink.statefun.sdk.reqreply.generated.ToFunction decoded =
        org.apache.flink.statefun.sdk.reqreply.generated.ToFunction.parseFrom(
            request.toByteArray());

    assertThat(decoded.getInvocation().getTarget().getId()).isEqualTo("alice");
    assertThat(decoded.getInvocation().getState(1).hasStateValue()).isFalse();
    assertThat(decoded.getInvocation().getInvocations(0).getCaller().getType())
        .isEqualTo("checkout");
    assertThat(decoded.getInvocation().getInvocations(1).getArgument().getHasValue()).isTrue();
    assertThat(decoded.toByteArray()).isEqualTo(request.toByteArray());
  }

  @Test
  void responseEncodedByTheSdkDecodesInKeyflowAndBackByteForByte() throws Exception {
    org.apache.flink.statefun.sdk.reqreply.generated.FromFunction response =
        org.apache.flink.statefun.sdk.reqreply.generated.FromFunction.newBuilder()
            .setInvocationResult(
                org.apache.flink.statefun.sdk.reqreply.generated.FromFunction.InvocationResponse
                    .newBuilder()
                    .addStateMutations(
                        org.apache.flink.statefun.sdk.reqreply.generated.FromFunction
                            .PersistedValueMutation.newBuilder()
                            .setMutationType(
                                org.apache.flink.statefun.sdk.reqreply.generated.FromFunction
                                    .PersistedValueMutation.MutationType.MODIFY)
                            .setStateName("items")
                            .setStateValue(
                                org.apache.flink.statefun.sdk.reqreply.generated.TypedValue
                                    .newBuilder()
                                    .setTypename("io.statefun.types/int")
                                    .setHasValue(true)))
                    .addStateMutations(
                        org.apache.flink.statefun.sdk.reqreply.generated.FromFunction
                            .PersistedValueMutation.newBuilder()
                            .setStateName("gone"))
                    .addOutgoingMessages(
                        org.apache.flink.statefun.sdk.reqreply.generated.FromFunction.Invocation
                            .newBuilder()
                            .setTarget(
                                org.apache.flink.statefun.sdk.reqreply.generated.Address
                                    .newBuilder()
                                    .setNamespace("shop")
                                    .setType("inventory")
                                    .setId("sku-1")))
                    .addDelayedInvocations(
                        org.apache.flink.statefun.sdk.reqreply.generated.FromFunction
                            .DelayedInvocation.newBuilder()
                            .setDelayInMs(1500)
                            .setCancellationToken("t-1")
                            .setIsCancellationRequest(true))
                    .addOutgoingEgresses(
                        org.apache.flink.statefun.sdk.reqreply.generated.FromFunction.EgressMessage
                            .newBuilder()
                            .setEgressNamespace("shop")
                            .setEgressType("out")))
            .build();

    FromFunction decoded = FromFunction.parseFrom(response.toByteArray());

    FromFunction.InvocationResponse result = decoded.getInvocationResult();
    assertThat(result.getStateMutations(0).getMutationType()).isEqualTo(MutationType.MODIFY);
    assertThat(result.getStateMutations(1).getMutationType()).isEqualTo(MutationType.DELETE);
    assertThat(result.getDelayedInvocations(0).getDelayInMs()).isEqualTo(1500);
    assertThat(result.getDelayedInvocations(0).getIsCancellationRequest()).isTrue();
    assertThat(result.getDelayedInvocations(0).getCancellationToken()).isEqualTo("t-1");
    assertThat(result.getOutgoingEgresses(0).getEgressType()).isEqualTo("out");
    assertThat(decoded.toByteArray()).isEqualTo(response.toByteArray());
  }

  @Test
  void primitiveWrappersEncodeAsTheSdkDoes() throws Exception {
    assertThat(IntWrapper.newBuilder().setValue(7).build().toByteArray())
        .isEqualTo(
            org.apache.flink.statefun.sdk.types.generated.IntWrapper.newBuilder()
                .setValue(7)
                .build()
                .toByteArray())
        .startsWith(0x0D);
    assertThat(LongWrapper.newBuilder().setValue(7).build().toByteArray())
        .isEqualTo(
            org.apache.flink.statefun.sdk.types.generated.LongWrapper.newBuilder()
                .setValue(7)
                .build()
                .toByteArray())
        .startsWith(0x09);
    assertThat(StringWrapper.newBuilder().setValue("hé").build().toByteArray())
        .isEqualTo(
            org.apache.flink.statefun.sdk.types.generated.StringWrapper.newBuilder()
                .setValue("hé")
                .build()
                .toByteArray());
    assertThat(BooleanWrapper.newBuilder().setValue(false).build().toByteArray()).isEmpty();
  }

  @Test
  void sdkHandlerAsksForMissingValuesThenAppliesKeyflowRequest() throws Exception {
    ValueSpec<Long> count =
        ValueSpec.named("count").thatExpireAfterWrite(Duration.ofSeconds(1)).withLongType();
    StatefulFunctions functions =
        new StatefulFunctions()
            .withStatefulFunction(
                StatefulFunctionSpec.builder(
                        org.apache.flink.statefun.sdk.java.TypeName.typeNameOf("shop", "counter"))
                    .withValueSpec(count)
                    .withSupplier(
                        () ->
                            (context, message) -> {
                              long next = context.storage().get(count).orElse(0L) + 1;
                              context.storage().set(count, next);
                              context.send(
                                  EgressMessageBuilder.forEgress(
                                          org.apache.flink.statefun.sdk.java.TypeName.typeNameOf(
                                              "shop", "out"))
                                      .withValue(next)
                                      .build());
                              return context.done();
                            }));
    ToFunction.InvocationBatchRequest.Builder batch =
        ToFunction.InvocationBatchRequest.newBuilder()
            .setTarget(address("shop", "counter", "c-1"))
            .addInvocations(
                ToFunction.Invocation.newBuilder()
                    .setArgument(
                        typed(
                            "io.statefun.types/string",
                            StringWrapper.newBuilder().setValue("x").build().toByteArray())));

    FromFunction first = call(functions, ToFunction.newBuilder().setInvocation(batch).build());

    assertThat(first.hasIncompleteInvocationContext()).isTrue();
    FromFunction.PersistedValueSpec spec =
        first.getIncompleteInvocationContext().getMissingValues(0);
    assertThat(spec.getStateName()).isEqualTo("count");
    assertThat(spec.getTypeTypename()).isEqualTo("io.statefun.types/long");
    assertThat(spec.getExpirationSpec().getMode())
        .isEqualTo(FromFunction.ExpirationSpec.ExpireMode.AFTER_WRITE);
    assertThat(spec.getExpirationSpec().getExpireAfterMillis()).isEqualTo(1000);

    batch.addState(
        ToFunction.PersistedValue.newBuilder()
            .setStateName("count")
            .setStateValue(
                typed(
                    "io.statefun.types/long",
                    LongWrapper.newBuilder().setValue(41).build().toByteArray())));
    FromFunction second = call(functions, ToFunction.newBuilder().setInvocation(batch).build());

    FromFunction.InvocationResponse result = second.getInvocationResult();
    assertThat(result.getStateMutationsList()).hasSize(1);
    FromFunction.PersistedValueMutation mutation = result.getStateMutations(0);
    assertThat(mutation.getMutationType()).isEqualTo(MutationType.MODIFY);
    assertThat(mutation.getStateValue().getTypename()).isEqualTo("io.statefun.types/long");
    assertThat(LongWrapper.parseFrom(mutation.getStateValue().getValue()).getValue()).isEqualTo(42);
    assertThat(result.getOutgoingEgresses(0).getEgressNamespace()).isEqualTo("shop");
  }

  private static FromFunction call(StatefulFunctions functions, ToFunction request)
      throws Exception {
    byte[] reply =
        functions
            .requestReplyHandler()
            .handle(Slices.wrap(request.toByteArray()))
            .get(10, TimeUnit.SECONDS)
            .toByteArray();
    return FromFunction.parseFrom(reply);
  }

  private static Address address(String namespace, String type, String id) {
    return Address.newBuilder().setNamespace(namespace).setType(type).setId(id).build();
  }

  private static TypedValue typed(String typename, byte[] value) {
    return TypedValue.newBuilder()
        .setTypename(typename)
        .setHasValue(true)
        .setValue(ByteString.copyFrom(value))
        .build();
  }

  private static void assertSameSchema(Descriptors.Descriptor ours, Descriptor theirs) {
    assertThat(describe(ours)).isEqualTo(describe(theirs));
  }

  /** Full name, then every field with number, type, label and type name, nested messages too. */
  private static List<String> describe(Descriptors.Descriptor d) {
    List<String> out = new ArrayList<>();
    out.add("message " + d.getFullName());
    for (Descriptors.FieldDescriptor f : d.getFields()) {
      out.add(
          d.getName()
              + "."
              + f.getName()
              + " = "
              + f.getNumber()
              + " "
              + f.getType()
              + (f.isRepeated() ? " repeated" : "")
              + (f.getRealContainingOneof() != null
                  ? " oneof " + f.getRealContainingOneof().getName()
                  : "")
              + (f.getType() == Descriptors.FieldDescriptor.Type.MESSAGE
                  ? " " + f.getMessageType().getFullName()
                  : "")
              + (f.getType() == Descriptors.FieldDescriptor.Type.ENUM
                  ? " " + f.getEnumType().getFullName() + f.getEnumType().getValues()
                  : ""));
    }
    for (Descriptors.Descriptor nested : d.getNestedTypes()) {
      out.addAll(describe(nested));
    }
    return out;
  }

  private static List<String> describe(Descriptor d) {
    List<String> out = new ArrayList<>();
    out.add("message " + d.getFullName());
    for (FieldDescriptor f : d.getFields()) {
      out.add(
          d.getName()
              + "."
              + f.getName()
              + " = "
              + f.getNumber()
              + " "
              + f.getType()
              + (f.isRepeated() ? " repeated" : "")
              + (f.getContainingOneof() != null ? " oneof " + f.getContainingOneof().getName() : "")
              + (f.getType() == FieldDescriptor.Type.MESSAGE
                  ? " " + f.getMessageType().getFullName()
                  : "")
              + (f.getType() == FieldDescriptor.Type.ENUM
                  ? " " + f.getEnumType().getFullName() + f.getEnumType().getValues()
                  : ""));
    }
    for (Descriptor nested : d.getNestedTypes()) {
      out.addAll(describe(nested));
    }
    return out;
  }
}
