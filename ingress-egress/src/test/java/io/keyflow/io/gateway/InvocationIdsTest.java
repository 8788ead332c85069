package io.keyflow.io.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyflow.protocol.reqreply.Address;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InvocationIdsTest {
  private static Address address(String id) {
    return Address.newBuilder().setNamespace("shop").setType("cart").setId(id).build();
  }

  private static String id(String target, String key, String body) {
    return InvocationIds.forIdempotencyKey(
        address(target), key, "shop.types/Cmd", body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theSameKeyForTheSameRequestGivesTheSameIdEverywhere() {
    assertThat(id("alice", "k1", "add")).isEqualTo(id("alice", "k1", "add"));
  }

  @Test
  void anotherKeyOrTargetGivesAnotherSlot() {
    String slot = InvocationIds.slot(id("alice", "k1", "add"));
    assertThat(InvocationIds.slot(id("alice", "k2", "add"))).isNotEqualTo(slot);
    assertThat(InvocationIds.slot(id("bob", "k1", "add"))).isNotEqualTo(slot);
    // The parts are length-prefixed: moving characters between id and key changes the slot.
    assertThat(InvocationIds.slot(id("alicek", "1", "add"))).isNotEqualTo(slot);
  }

  @Test
  void anotherBodyOrTypenameWithTheSameKeySharesTheSlotButNotTheId() {
    String id = id("alice", "k1", "add");
    String otherBody = id("alice", "k1", "remove");
    String otherType =
        InvocationIds.forIdempotencyKey(
            address("alice"), "k1", "shop.types/Other", "add".getBytes(StandardCharsets.UTF_8));

    assertThat(otherBody).isNotEqualTo(id);
    assertThat(otherType).isNotEqualTo(id);
    assertThat(InvocationIds.slot(otherBody)).isEqualTo(InvocationIds.slot(id));
    assertThat(InvocationIds.slot(otherType)).isEqualTo(InvocationIds.slot(id));
  }

  @Test
  void theSlotOfAKeyIsTheIdItHadBeforeFingerprintsSoKeysTheJobRemembersStayValid() {
    // The id that (shop/cart/alice, k1) had before fingerprints: what savepoints hold.
    assertThat(InvocationIds.slot(id("alice", "k1", "add"))).isEqualTo("kDyJMsqv0suT27dbewC14aTie");
  }

  @Test
  void randomIdsDifferAreUrlSafeAndAreTheirOwnSlot() {
    String a = InvocationIds.random();
    assertThat(a).isNotEqualTo(InvocationIds.random()).matches("[A-Za-z0-9_-]+");
    assertThat(InvocationIds.slot(a)).isEqualTo(a);
    assertThat(id("a", "k", "x")).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
  }
}
