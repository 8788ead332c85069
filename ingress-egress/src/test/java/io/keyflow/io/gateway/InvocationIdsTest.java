package io.keyflow.io.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.protocol.reqreply.Address;
import org.junit.jupiter.api.Test;

class InvocationIdsTest {
  private static Address address(String id) {
    return Address.newBuilder().setNamespace("shop").setType("cart").setId(id).build();
  }

  @Test
  void theSameKeyForTheSameTargetGivesTheSameIdEverywhere() {
    assertThat(InvocationIds.forIdempotencyKey(address("alice"), "k1"))
        .isEqualTo(InvocationIds.forIdempotencyKey(address("alice"), "k1"));
  }

  @Test
  void anotherKeyOrTargetGivesAnotherId() {
    String id = InvocationIds.forIdempotencyKey(address("alice"), "k1");
    assertThat(InvocationIds.forIdempotencyKey(address("alice"), "k2")).isNotEqualTo(id);
    assertThat(InvocationIds.forIdempotencyKey(address("bob"), "k1")).isNotEqualTo(id);
    // The parts are length-prefixed: moving characters between id and key changes the id.
    assertThat(InvocationIds.forIdempotencyKey(address("alicek"), "1")).isNotEqualTo(id);
  }

  @Test
  void randomIdsDifferAndAreUrlSafe() {
    String a = InvocationIds.random();
    assertThat(a).isNotEqualTo(InvocationIds.random()).matches("[A-Za-z0-9_-]+");
    assertThat(InvocationIds.forIdempotencyKey(address("a"), "k")).matches("[A-Za-z0-9_-]+");
  }
}
