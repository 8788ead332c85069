package io.keyflow.warmup;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keyflow.protocol.reqreply.Address;
import io.keyflow.protocol.reqreply.FromFunction;
import io.keyflow.protocol.reqreply.ToFunction;
import io.keyflow.protocol.reqreply.TypedValue;

/**
 * Encodes and decodes the function protocol's messages (a batch of invocations with state, and an
 * answer with state changes, messages and egress records) as the dispatcher and the function client
 * do for every call, often enough that the JVM compiles the protobuf code they run.
 */
final class ProtocolWarmUp implements WarmUpStep {
  private static final int ROUNDS = 2_000;

  @Override
  public String name() {
    return "protocol";
  }

  @Override
  public String run() throws InvalidProtocolBufferException {
    long bytes = 0;
    for (int i = 0; i < ROUNDS; i++) {
      byte[] request = request(i).toByteArray();
      byte[] response = response(i).toByteArray();
      bytes += ToFunction.parseFrom(request).getSerializedSize();
      bytes += FromFunction.parseFrom(response).getSerializedSize();
    }
    return ROUNDS + " calls' messages encoded and decoded (" + bytes / 1024 + " KB)";
  }

  private static ToFunction request(int i) {
    Address target = address(i);
    return ToFunction.newBuilder()
        .setInvocation(
            ToFunction.InvocationBatchRequest.newBuilder()
                .setTarget(target)
                .addState(
                    ToFunction.PersistedValue.newBuilder()
                        .setStateName("count")
                        .setStateValue(value(i)))
                .addInvocations(
                    ToFunction.Invocation.newBuilder()
                        .setCaller(address(i + 1))
                        .setArgument(value(i))))
        .build();
  }

  private static FromFunction response(int i) {
    return FromFunction.newBuilder()
        .setInvocationResult(
            FromFunction.InvocationResponse.newBuilder()
                .addStateMutations(
                    FromFunction.PersistedValueMutation.newBuilder()
                        .setMutationType(FromFunction.PersistedValueMutation.MutationType.MODIFY)
                        .setStateName("count")
                        .setStateValue(value(i + 1)))
                .addOutgoingMessages(
                    FromFunction.Invocation.newBuilder()
                        .setTarget(address(i + 1))
                        .setArgument(value(i)))
                .addOutgoingEgresses(
                    FromFunction.EgressMessage.newBuilder()
                        .setEgressNamespace("keyflow")
                        .setEgressType("warm-up")
                        .setArgument(value(i))))
        .build();
  }

  private static Address address(int i) {
    return Address.newBuilder()
        .setNamespace("keyflow")
        .setType("warm-up")
        .setId(Integer.toString(i))
        .build();
  }

  private static TypedValue value(int i) {
    return TypedValue.newBuilder()
        .setTypename("io.statefun.types/int")
        .setHasValue(true)
        .setValue(ByteString.copyFromUtf8(Integer.toString(i)))
        .build();
  }
}
