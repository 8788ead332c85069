package io.keyflow.dispatch;

import io.keyflow.module.TypeName;
import io.keyflow.protocol.reqreply.Address;

/** A function instance: its type and id. */
public record AddressKey(TypeName function, String id) {

  static AddressKey of(Address address) {
    return new AddressKey(new TypeName(address.getNamespace(), address.getType()), address.getId());
  }

  Address toAddress() {
    return Address.newBuilder()
        .setNamespace(function.namespace())
        .setType(function.name())
        .setId(id)
        .build();
  }

  @Override
  public String toString() {
    return function + "/" + id;
  }
}
