package io.keyflow.testkit.unit;

import org.apache.flink.statefun.sdk.java.Address;
import org.apache.flink.statefun.sdk.java.TypeName;

/** Converts addresses between the SDK's and the wire's, and shows them as {@code ns/type/id}. */
final class Addresses {
  private Addresses() {}

  static io.keyflow.protocol.reqreply.Address toWire(Address address) {
    return io.keyflow.protocol.reqreply.Address.newBuilder()
        .setNamespace(address.type().namespace())
        .setType(address.type().name())
        .setId(address.id())
        .build();
  }

  static Address fromWire(io.keyflow.protocol.reqreply.Address address) {
    return new Address(
        TypeName.typeNameOf(address.getNamespace(), address.getType()), address.getId());
  }

  static String show(Address address) {
    return address.type().asTypeNameString() + "/" + address.id();
  }
}
